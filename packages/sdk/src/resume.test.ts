import { waitFor } from '@switchboard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { Resumption } from './agent-client.ts';
import { connect } from './connect.ts';
import type { Frame } from './test-gateway.ts';
import {
  type ScriptedConnection,
  type ScriptedGateway,
  startScriptedGateway,
} from './test-scripted-gateway.ts';

const agent = { id: 'resumer', name: 'Resumer', version: '1' };
const fast = { reconnect: { initialDelayMs: 5, maxDelayMs: 20 } };
const at = '2026-01-01T00:00:00.000Z';
let gateway: ScriptedGateway | undefined;
let nextId = 0;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

/** What the scripted gateway resumes connection `attempt` with: its number is in the versions. */
function resumption(attempt: number): Resumption {
  return {
    status: { agentId: agent.id, status: 'starting', version: attempt, updatedAt: at },
    state: {
      scope: `agent:${agent.id}`,
      items: [{ key: 'plan', version: attempt * 10, updatedAt: at }],
      truncated: false,
    },
  };
}

/** Answers register like the gateway, then pushes `resume`; grants watches unless `drop` says. */
function resumingGateway(drop: (connection: ScriptedConnection) => boolean = () => false) {
  return startScriptedGateway({
    onFrame: (connection, frame: Frame) => {
      const id = `r${++nextId}`;
      if (frame.type === 'register') {
        const result = { agentId: agent.id, connectionId: `connection-${connection.attempt}` };
        connection.send({ v: 1, type: 'result', id, re: frame.id, result });
        connection.send({ v: 1, type: 'resume', id: `${id}b`, ...resumption(connection.attempt) });
        return true;
      }
      if (frame.type === 'state.watch') {
        if (drop(connection)) {
          connection.socket.close(1001, 'going away mid-watch');
          return true;
        }
        const scope = frame.scope ?? `agent:${agent.id}`;
        connection.send({ v: 1, type: 'result', id, re: frame.id, result: { scope } });
        return true;
      }
      return false;
    },
  });
}

describe('resumed', () => {
  it('reports the resume frame after connected, on the first connection and every reconnect', async () => {
    gateway = await resumingGateway();
    const events: string[] = [];
    const resumed: Resumption[] = [];
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    client.on('connected', () => events.push('connected'));
    client.on('resumed', (payload) => {
      events.push('resumed');
      resumed.push(payload);
    });
    // The first one may have come before connect() resolved: lastResume keeps it.
    await waitFor(() => client.lastResume, { what: 'the first resume' });
    expect(client.lastResume).toEqual(resumption(1));

    gateway.connections[0]?.socket.close(1001, 'reconnect');
    await waitFor(() => resumed.length === 1, { what: 'the resumed event after a reconnect' });
    expect(resumed).toEqual([resumption(2)]);
    expect(client.lastResume).toEqual(resumption(2));
    expect(events).toEqual(['connected', 'resumed']);
    await client.close();
  });

  it('holds a resume that arrives while watches are restored until connected, and drops one of a connection that failed', async () => {
    gateway = await resumingGateway((connection) => connection.attempt === 2);
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    await client.store.watch();
    const events: string[] = [];
    client.on('connected', ({ connectionId }) => events.push(`connected ${connectionId}`));
    client.on('resumed', ({ status }) => events.push(`resumed ${status.version}`));

    gateway.connections[0]?.socket.close(1001, 'reconnect');
    await waitFor(() => events.length === 2, { what: 'the third connection' });
    expect(gateway.connections).toHaveLength(3);
    expect(events).toEqual(['connected connection-3', 'resumed 3']);
    await client.close();
  });
});
