import { waitFor } from '@switchboard/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from './connect.ts';
import type { SdkLogger } from './logger.ts';
import type { StateChange } from './state-api.ts';
import type { Frame } from './test-gateway.ts';
import { type ScriptedGateway, startScriptedGateway } from './test-scripted-gateway.ts';

const agent = { id: 'watcher', name: 'Watcher', version: '1' };
const fast = { reconnect: { initialDelayMs: 5, maxDelayMs: 20 } };
let gateway: ScriptedGateway | undefined;
let nextId = 0;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

function collectingLogger(): SdkLogger & { warnings: Array<Record<string, unknown>> } {
  const warnings: Array<Record<string, unknown>> = [];
  const ignore = () => undefined;
  return {
    warnings,
    debug: ignore,
    info: ignore,
    error: ignore,
    warn: (fields) => void warnings.push(fields),
  };
}

const watchFrames = (frames: Frame[]) =>
  frames.filter((frame) => frame.type === 'state.watch').map((frame) => frame.scope);

/** A gateway that grants watches, except `team.revoked` from the second connection on. */
async function watchingGateway(): Promise<ScriptedGateway> {
  return startScriptedGateway({
    onFrame: (connection, frame) => {
      const id = `w${++nextId}`;
      if (frame.type === 'state.watch') {
        const scope = (frame.scope as string | undefined) ?? `agent:${agent.id}`;
        if (scope === 'team.revoked' && connection.attempt > 1) {
          connection.send({
            v: 1,
            type: 'error',
            id,
            re: frame.id,
            error: { code: 'E_FORBIDDEN', message: 'no read grant on team.revoked' },
          });
        } else {
          connection.send({ v: 1, type: 'result', id, re: frame.id, result: { scope } });
        }
        return true;
      }
      if (frame.type === 'state.unwatch') {
        connection.send({ v: 1, type: 'result', id, re: frame.id, result: { removed: true } });
        return true;
      }
      return false;
    },
  });
}

describe('store.watch', () => {
  it('reports state.changed pushes as stateChanged events', async () => {
    gateway = await watchingGateway();
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    const changes: StateChange[] = [];
    client.on('stateChanged', (change) => changes.push(change));
    expect(await client.store.watch()).toEqual({ scope: 'agent:watcher' });
    gateway.connections[0]?.send({
      v: 1,
      type: 'state.changed',
      id: 'g1',
      scope: 'agent:watcher',
      key: 'plan',
      version: 4,
      op: 'patch',
    });
    await waitFor(() => changes.length === 1, { what: 'the stateChanged event' });
    expect(changes).toEqual([{ scope: 'agent:watcher', key: 'plan', version: 4, op: 'patch' }]);
    await client.close();
  });

  it('watches again after every reconnect, before reporting connected, and drops a refused watch', async () => {
    gateway = await watchingGateway();
    const log = collectingLogger();
    const client = await connect({ url: gateway.url, token: 't', agent, log, ...fast });
    await client.store.watch();
    await client.store.watch('team.a');
    await client.store.watch('team.revoked');
    await client.store.watch('team.gone');
    expect(await client.store.unwatch('team.gone')).toEqual({ removed: true });

    // What the new connection had received when the client said it was connected again.
    const seenAtConnected: Array<unknown[]> = [];
    client.on('connected', () => {
      const latest = gateway?.connections.at(-1);
      seenAtConnected.push(watchFrames(latest?.received ?? []));
    });

    gateway.connections[0]?.socket.close(1001, 'the gateway is stopping; reconnect');
    await waitFor(() => seenAtConnected.length === 1, { what: 'the first reconnect' });
    expect(seenAtConnected[0]).toEqual(['agent:watcher', 'team.a', 'team.revoked']);
    expect(gateway.connections[1]?.received.map((frame) => frame.type)).toEqual([
      'hello',
      'register',
      'state.watch',
      'state.watch',
      'state.watch',
    ]);
    expect(log.warnings.filter((fields) => 'scope' in fields)).toEqual([
      expect.objectContaining({ scope: 'team.revoked', forgotten: true }),
    ]);

    // The refused watch is not asked for again; the others are.
    gateway.connections[1]?.socket.close(1001, 'again');
    await waitFor(() => seenAtConnected.length === 2, { what: 'the second reconnect' });
    expect(seenAtConnected[1]).toEqual(['agent:watcher', 'team.a']);
    expect(client.state).toBe('connected');
    await client.close();
  });

  it('keeps a watch whose re-sending failed with the connection, for the next one', async () => {
    let dropOnWatch = true;
    gateway = await startScriptedGateway({
      onFrame: (connection, frame) => {
        if (frame.type !== 'state.watch') return false;
        if (connection.attempt === 2 && dropOnWatch) {
          dropOnWatch = false;
          connection.socket.close(1001, 'going away mid-watch');
          return true;
        }
        const id = `w${++nextId}`;
        connection.send({ v: 1, type: 'result', id, re: frame.id, result: { scope: frame.scope } });
        return true;
      },
    });
    const client = await connect({ url: gateway.url, token: 't', agent, ...fast });
    await client.store.watch('team.kept');
    gateway.connections[0]?.socket.close(1001, 'reconnect');
    await waitFor(() => watchFrames(gateway?.connections[2]?.received ?? []).length === 1, {
      what: 'the watch on the third connection',
    });
    expect(watchFrames(gateway.connections[2]?.received ?? [])).toEqual(['team.kept']);
    await waitFor(() => client.state === 'connected', { what: 'connected again' });
    await client.close();
  });
});
