import { agentPrincipal, type ServiceProcess, spawnService } from '@switchboard/testing';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouterHarness, fastTimers, type RouterHarness } from './test-router.ts';

// The promise under faults: every message the router acknowledged as accepted reaches its
// recipient, whatever happens to the router process or to Redis in between.

const AGENTS = 20;
const MESSAGES = 3000;

let world: RouterHarness;
const agents = Array.from({ length: AGENTS }, (_, index) => `crash-${index}`);

function spawnRouter(): Promise<ServiceProcess> {
  return spawnService('message-router', {
    ...world.context.env,
    ...fastTimers,
    SB_ROUTER__PORT: '0',
    SB_ROUTER__DELIVERY__ACK_TIMEOUT_MS: '1000',
  });
}

/** Acks every push as it comes, as a well-behaved agent would. */
function ackEverything(): () => void {
  let acked = 0;
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const pushes = world.gateways.pushes.slice(acked);
      acked += pushes.length;
      const byAgent = new Map<string, string[]>();
      for (const push of pushes) {
        if (push.kind !== 'message') continue;
        byAgent.set(push.agentId, [...(byAgent.get(push.agentId) ?? []), push.deliveryId]);
      }
      await Promise.all(
        [...byAgent].map(([agentId, ids]) => world.ack(agentId, ids).catch(() => undefined)),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

/**
 * Sends every message until it is accepted, re-sending the same id after a failure (what the SDK
 * does across a reconnect); `midway` runs once half of them are accepted.
 */
async function sendAll(midway: () => Promise<void>): Promise<Set<string>> {
  const accepted = new Set<string>();
  const messages = Array.from({ length: MESSAGES }, (_, index) => ({
    id: uuidv7(),
    from: agents[index % AGENTS] as string,
    to: agents[(index + 1) % AGENTS] as string,
    index,
  }));
  let fault: Promise<void> | undefined;
  const sendOne = async (message: (typeof messages)[number]) => {
    for (;;) {
      try {
        await world.send(agentPrincipal(message.from), {
          id: message.id,
          to: { kind: 'agent', agentId: message.to },
          payload: { index: message.index },
        });
        accepted.add(message.id);
        if (accepted.size === MESSAGES / 2) fault ??= midway();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  // 50 senders at a time keeps thousands in flight without flooding the test process.
  for (let start = 0; start < MESSAGES; start += 50) {
    await Promise.all(messages.slice(start, start + 50).map(sendOne));
  }
  await fault;
  return accepted;
}

async function everyAcceptedPushed(accepted: Set<string>): Promise<void> {
  await world.gateways.until(() => {
    const pushed = new Set(
      world.gateways.pushes.map((push) => push.kind === 'message' && push.message.id),
    );
    return [...accepted].every((id) => pushed.has(id));
  }, 60_000);
}

beforeAll(async () => {
  world = await createRouterHarness(['gw-a']);
  for (const agentId of agents) await world.gateways.connect(agentId);
});
afterAll(async () => {
  await world.stop();
});

describe('no loss under faults', () => {
  it('delivers every accepted message when the router is SIGKILLed mid-run and restarted', async () => {
    let router = await spawnRouter();
    const stopAcking = ackEverything();
    try {
      const accepted = await sendAll(async () => {
        await router.stop('SIGKILL');
        router = await spawnRouter();
      });
      expect(accepted.size).toBe(MESSAGES);
      await everyAcceptedPushed(accepted);
      const pushedIds = world.gateways.pushes.flatMap((push) =>
        push.kind === 'message' ? [push.message.id] : [],
      );
      // Nothing invented: every push is of a message that was sent.
      expect(pushedIds.every((id) => accepted.has(id))).toBe(true);
    } finally {
      stopAcking();
      await router.stop();
    }
  }, 120_000);

  it("delivers every accepted message when the namespace's Redis keys are wiped mid-run", async () => {
    world.gateways.pushes.length = 0;
    const router = await spawnRouter();
    const stopAcking = ackEverything();
    try {
      const accepted = await sendAll(async () => {
        await world.cache.deleteAll();
        // Gateways write presence again on the agents' next frames.
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (const agentId of agents) await world.gateways.connect(agentId);
      });
      await everyAcceptedPushed(accepted);
    } finally {
      stopAcking();
      await router.stop();
    }
  }, 120_000);
});
