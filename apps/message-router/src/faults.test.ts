import type { AgentClient } from '@switchboard/sdk';
import { waitFor } from '@switchboard/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMesh, type Mesh } from './test-mesh.ts';

// DESIGN.md's promise, end to end: with thousands of messages in flight, SIGKILL a process and
// restart it; every accepted message reaches its handler exactly once (the router delivers at
// least once, the SDK drops the duplicates).

const PAIRS = 10;
const PER_SENDER = 300;

let mesh: Mesh;

beforeEach(async () => {
  mesh = await createMesh({ SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '2000' });
}, 60_000);
afterEach(async () => {
  await mesh.stop();
});

interface Traffic {
  senders: AgentClient[];
  /** Handler calls per message id. */
  handled: Map<string, number>;
}

async function connectPairs(senderGateway: string, receiverGateway: string): Promise<Traffic> {
  const handled = new Map<string, number>();
  const senders: AgentClient[] = [];
  for (let index = 0; index < PAIRS; index += 1) {
    const receiver = await mesh.agent(
      receiverGateway,
      { id: `rx-${index}`, name: 'receiver', version: '1' },
      { messageConcurrency: 16 },
    );
    receiver.onMessage(async (message) => {
      handled.set(message.id, (handled.get(message.id) ?? 0) + 1);
    });
    senders.push(
      await mesh.agent(senderGateway, { id: `tx-${index}`, name: 'sender', version: '1' }),
    );
  }
  return { senders, handled };
}

/** Every sender sends its share, 25 at a time; `midway` runs once a third are accepted. */
async function sendAll(traffic: Traffic, midway: () => Promise<void>): Promise<string[]> {
  const accepted: string[] = [];
  let fault: Promise<void> | undefined;
  await Promise.all(
    traffic.senders.map(async (sender, index) => {
      for (let start = 0; start < PER_SENDER; start += 25) {
        const batch = Array.from({ length: Math.min(25, PER_SENDER - start) }, (_, offset) =>
          sender.sendTo(`rx-${index}`, { n: start + offset }, { timeoutMs: 60_000 }),
        );
        for (const result of await Promise.all(batch)) accepted.push(result.messageId);
        if (accepted.length >= (PAIRS * PER_SENDER) / 3) fault ??= midway();
      }
    }),
  );
  await fault;
  return accepted;
}

async function expectExactlyOnce(traffic: Traffic, accepted: string[]): Promise<void> {
  expect(new Set(accepted).size).toBe(PAIRS * PER_SENDER);
  await waitFor(() => accepted.every((id) => traffic.handled.has(id)), {
    timeoutMs: 60_000,
    what: 'every accepted message handled',
  });
  // Redeliveries still in flight would show up as second calls: give them a moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const twice = [...traffic.handled].filter(([, calls]) => calls > 1);
  expect(twice).toEqual([]);
  expect(traffic.handled.size).toBe(PAIRS * PER_SENDER);
}

describe('no loss, no double handling', () => {
  it('when the router is SIGKILLed mid-run and restarted', async () => {
    await mesh.startRouter();
    await mesh.startGateway('gw-a');
    await mesh.startGateway('gw-b');
    const traffic = await connectPairs('gw-a', 'gw-b');
    const accepted = await sendAll(traffic, async () => {
      await mesh.routers[0]?.stop('SIGKILL');
      await mesh.startRouter();
    });
    await expectExactlyOnce(traffic, accepted);
  }, 180_000);

  it('when both gateways are SIGKILLed mid-run and their agents reconnect', async () => {
    await mesh.startRouter();
    const ports = new Map<string, number>();
    for (const gatewayId of ['gw-a', 'gw-b']) {
      ports.set(gatewayId, (await mesh.startGateway(gatewayId)).port);
    }
    const traffic = await connectPairs('gw-a', 'gw-b');
    const accepted = await sendAll(traffic, async () => {
      await Promise.all(['gw-a', 'gw-b'].map((id) => mesh.gateways.get(id)?.stop('SIGKILL')));
      // New instances on the same addresses, as a restarted pod behind its service would be.
      await mesh.startGateway('gw-a2', ports.get('gw-a'));
      await mesh.startGateway('gw-b2', ports.get('gw-b'));
    });
    await expectExactlyOnce(traffic, accepted);
  }, 180_000);
});
