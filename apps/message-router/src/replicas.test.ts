import { agentPrincipal } from '@switchboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterHarness, type RouterHarness } from './test-router.ts';

// Two router replicas share the queues: each delivery goes out from one of them at a time, and
// an agent's window (here 1: strict order) holds across both.

let world: RouterHarness;
const settings = { SB_ROUTER__DELIVERY__MAX_IN_FLIGHT: '1' };

beforeAll(async () => {
  world = await createRouterHarness(['gw-a']);
  await world.start('router-1', settings);
  await world.start('router-2', settings);
});
afterAll(async () => {
  await world.stop();
});

describe('two replicas', () => {
  it('never push one agent two deliveries at once, and push each delivery once', async () => {
    const inboxes = ['rep-1', 'rep-2', 'rep-3', 'rep-4', 'rep-5', 'rep-6'];
    for (const agentId of [...inboxes, 'rep-sender']) await world.gateways.connect(agentId);
    const perInbox = 40;
    // Sends spread over both replicas (queue group), as a busy mesh's would.
    await Promise.all(
      inboxes.flatMap((agentId) =>
        Array.from({ length: perInbox }, (_, index) =>
          world.send(agentPrincipal('rep-sender'), {
            to: { kind: 'agent', agentId },
            payload: index,
          }),
        ),
      ),
    );
    const acked = new Set<string>();
    let overlaps = 0;
    // Ack whatever arrives; with a window of 1, two unacked pushes to one agent would be a
    // second replica dispatching beside the first.
    while (acked.size < inboxes.length * perInbox) {
      await world.gateways.until(() =>
        world.gateways.pushes.some(
          (push) => push.kind === 'message' && !acked.has(push.deliveryId),
        ),
      );
      for (const agentId of inboxes) {
        const open = world.gateways
          .messagesFor(agentId)
          .filter((push) => !acked.has(push.deliveryId));
        if (open.length > 1) overlaps += 1;
        for (const push of open) {
          acked.add(push.deliveryId);
          await world.ack(agentId, [push.deliveryId]);
        }
      }
    }
    expect(overlaps).toBe(0);
    const pushedIds = world.gateways.pushes.flatMap((push) =>
      push.kind === 'message' ? [push.deliveryId] : [],
    );
    expect(pushedIds).toHaveLength(inboxes.length * perInbox);
    expect(new Set(pushedIds).size).toBe(pushedIds.length);
  });
});
