import { SbError } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The operator API as the gateway serves it, in process, and a stand-in for the message router
// on the same bus (its own namespace and database).
import {
  type OperatorGateway,
  startOperatorGateway,
} from '../../../apps/gateway/src/http/test-operator.ts';
import {
  type StandInRouter,
  startStandInRouter,
} from '../../../apps/gateway/src/http/test-router.ts';
import { cliAgainst } from './test-cli.ts';

let gateway: OperatorGateway;
let router: StandInRouter;
const sb = cliAgainst(() => gateway);

beforeAll(async () => {
  gateway = await startOperatorGateway({ statsIntervalMs: 60_000 });
  router = await startStandInRouter(gateway.context.namespace);
});
afterAll(async () => {
  await router?.stop();
  await gateway?.stop();
});

const lastSent = () => router.callsOf('send').at(-1)?.request as { message: unknown };

/** Sends a message through the CLI and returns its id. */
async function send(target: string, payload: string, ...options: string[]): Promise<string> {
  const sent = await sb(['send', target, payload, ...options, '--json']);
  expect(sent).toMatchObject({ code: 0, stderr: '' });
  return (JSON.parse(sent.stdout) as { messageId: string }).messageId;
}

describe('send', () => {
  it('sends to a topic with priority, headers, ttl and conversation', async () => {
    const sent = await sb([
      'send',
      'topic:jobs.build',
      '{"n":1}',
      '--priority',
      '7',
      '--header',
      'region=eu',
      '--header',
      'team=ops',
      '--ttl',
      '5000',
      '--conversation',
      'c-1',
    ]);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(
      /^accepted [0-9a-f-]{36} for topic:jobs\.build \(0 recipients\)\n$/,
    );
    expect(lastSent().message).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      to: { kind: 'topic', topic: 'jobs.build' },
      payload: { n: 1 },
      headers: { region: 'eu', team: 'ops' },
      priority: 7,
      ttlMs: 5000,
      conversationId: 'c-1',
    });
  });

  it('broadcasts and anycasts with the options that narrow them', async () => {
    const broadcast = await sb([
      'send',
      'broadcast',
      '"hi"',
      '--capability',
      'plan',
      '--label',
      'team=ops',
      '--json',
    ]);
    expect(JSON.parse(broadcast.stdout)).toMatchObject({ recipients: 0, duplicate: false });
    expect(lastSent().message).toMatchObject({
      to: { kind: 'broadcast', capability: 'plan', labels: { team: 'ops' } },
      payload: 'hi',
    });
    await send('anycast:plan', 'null', '--strategy', 'least_loaded', '--label', 'zone=a');
    expect(lastSent().message).toMatchObject({
      to: { kind: 'anycast', capability: 'plan', strategy: 'least_loaded', labels: { zone: 'a' } },
      payload: null,
    });
  });

  it('keeps an id given with --id, so sending it again stores nothing new', async () => {
    const id = '0190f5c6-0000-7000-8000-0000000000a1';
    const first = await sb(['send', 'agent:planner-1', '[1,2]', '--id', id]);
    expect(first.stdout).toBe(`accepted ${id} for agent:planner-1 (1 recipient)\n`);
    const again = await sb(['send', 'agent:planner-1', '[1,2]', '--id', id]);
    expect(again.stdout).toBe(`${id} was accepted before (1 recipient); nothing new was stored\n`);
  });

  it('refuses a bad target, payload or option before sending, and reports refusals', async () => {
    const before = router.callsOf('send').length;
    const usages: Array<[string[], string]> = [
      [['send', 'nowhere', '1'], 'E_VALIDATION: unknown target nowhere'],
      [['send', 'agent:a', '1', '--capability', 'x'], '--capability narrows a broadcast'],
      [['send', 'topic:jobs', 'hello'], 'E_VALIDATION: give the payload as JSON'],
      [['send', 'topic:jobs', '1', '--priority', '10'], 'use a whole number from 0 (lowest) to 9'],
      [['send', 'anycast:x', '1', '--strategy', 'fastest'], 'use round_robin, least_loaded'],
      [['send', 'topic:jobs', '1', '--header', 'region'], 'use key=value'],
      [['send', 'topic:jobs.*', '1'], 'E_VALIDATION: the request is invalid: body.to.topic'],
    ];
    for (const [args, message] of usages) {
      const refused = await sb(args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(message);
    }
    expect(router.callsOf('send').length).toBe(before);

    router.failNext('send', new SbError('E_NOT_FOUND', 'no agent ghost is registered'));
    const unknown = await sb(['send', 'agent:ghost', '1']);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'E_NOT_FOUND: no agent ghost is registered\n',
    });
  });
});

describe('messages', () => {
  it('lists the history with filters, a page at a time', async () => {
    await send('topic:orders.eu.created', '{"order":7}');
    const listed = await sb(['messages', 'ls', '--topic', 'orders.>']);
    expect(listed.stdout.split('\n')[0]).toMatch(
      /^ID\s+ACCEPTED\s+FROM\s+TO\s+RECIPIENTS\s+PAYLOAD$/,
    );
    expect(listed.stdout).toMatch(
      /^[0-9a-f-]{36}\s+\S+Z\s+key:bootstrap\s+topic:orders\.eu\.created\s+0\s+\{"order":7\}$/m,
    );
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    expect(router.callsOf('history').at(-1)?.request).toEqual({ topic: 'orders.>', limit: 50 });

    const first = await sb(['messages', 'ls', '--limit', '1', '--json']);
    const page = JSON.parse(first.stdout) as { items: unknown[]; nextCursor: string };
    expect(page.items).toHaveLength(1);
    const people = await sb(['messages', 'ls', '--limit', '1']);
    expect(people.stderr).toBe(`more: --cursor ${page.nextCursor}\n`);
    await sb([
      'messages',
      'ls',
      '--agent',
      'planner-1',
      '--conversation',
      'c-1',
      '--since',
      '2026-01-01T00:00:00Z',
      '--until',
      '2099-01-01T00:00:00Z',
      '--cursor',
      page.nextCursor,
    ]);
    expect(router.callsOf('history').at(-1)?.request).toEqual({
      agentId: 'planner-1',
      conversationId: 'c-1',
      since: '2026-01-01T00:00:00Z',
      until: '2099-01-01T00:00:00Z',
      limit: 50,
      cursor: page.nextCursor,
    });
  });

  it('shows one message with its deliveries', async () => {
    const id = await send('agent:worker-9', '{"task":"build"}', '--header', 'kind=job');
    const shown = await sb(['messages', 'show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^id:\\s+${id}$`, 'm'));
    expect(shown.stdout).toMatch(/^sent by:\s+key:bootstrap$/m);
    expect(shown.stdout).toMatch(/^to:\s+agent:worker-9$/m);
    expect(shown.stdout).toMatch(/^headers:\s+kind=job$/m);
    expect(shown.stdout).toMatch(
      /^DELIVERY\s+AGENT\s+STATUS\s+ATTEMPTS\s+NEXT ATTEMPT\s+ACKED\s+LAST ERROR$/m,
    );
    expect(shown.stdout).toMatch(/^\d+\s+worker-9\s+queued\s+0\s+-\s+-\s+-$/m);
    const json = await sb(['messages', 'show', id, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id, deliveries: [{ agentId: 'worker-9' }] });
    const missing = await sb(['messages', 'show', '0190f5c6-0000-7000-8000-0000000000ff']);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^E_NOT_FOUND: /) });
  });
});

describe('dlq', () => {
  it('lists, shows, replays and purges dead letters', async () => {
    const first = router.addDeadLetter(await send('agent:worker-1', '{"try":1}'), 'worker-1');
    const second = router.addDeadLetter(await send('agent:worker-2', '{"try":2}'), 'worker-2');
    const third = router.addDeadLetter(await send('agent:worker-2', '{"try":3}'), 'worker-2');

    const listed = await sb(['dlq', 'ls']);
    expect(listed.stdout.split('\n')[0]).toMatch(
      /^ID\s+AGENT\s+DEAD AT\s+ATTEMPTS\s+REASON\s+MESSAGE\s+FROM\s+TO\s+LAST ERROR$/,
    );
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${first.id}\\s+worker-1\\s+\\S+\\s+5\\s+max_attempts\\s+${first.message.id}\\s+key:bootstrap\\s+agent:worker-1\\s+E_TIMEOUT: no ack within 30000 ms$`,
        'm',
      ),
    );
    const mine = await sb(['dlq', 'ls', '--agent', 'worker-2', '--limit', '1', '--json']);
    expect(JSON.parse(mine.stdout)).toMatchObject({
      items: [{ id: third.id }],
      nextCursor: third.id,
    });

    const shown = await sb(['dlq', 'show', first.id]);
    expect(shown.stdout).toMatch(/^reason:\s+max_attempts$/m);
    expect(shown.stdout).toMatch(new RegExp(`^message:\\s+${first.message.id}$`, 'm'));
    expect(shown.stdout).toContain('"try": 1');

    const replayed = await sb(['dlq', 'replay', first.id, second.id]);
    expect(replayed.stdout).toBe('replayed 2 dead letters\n');
    expect(router.callsOf('dlq.replay').at(-1)?.request).toEqual({ ids: [first.id, second.id] });

    const unconfirmed = await sb(['dlq', 'purge', '--agent', 'worker-2']);
    expect(unconfirmed).toMatchObject({
      code: 1,
      stderr:
        'E_VALIDATION: this deletes every dead letter of worker-2 for good; add --yes to confirm\n',
    });
    const purged = await sb(['dlq', 'purge', '--agent', 'worker-2', '--yes', '--json']);
    expect(JSON.parse(purged.stdout)).toEqual({ purged: 1 });
    expect(router.callsOf('dlq.purge').at(-1)?.request).toEqual({ agentId: 'worker-2' });
    const none = await sb(['dlq', 'replay', '--agent', 'worker-2']);
    expect(none.stdout).toBe('replayed 0 dead letters\n');
    const one = router.addDeadLetter(first.message.id, 'worker-1');
    expect((await sb(['dlq', 'purge', one.id])).stdout).toBe('purged 1 dead letter\n');
  });

  it('needs ids or --agent, not both', async () => {
    const nothing = await sb(['dlq', 'replay']);
    expect(nothing.stderr).toBe(
      'E_VALIDATION: name the dead letters: their ids, or --agent <id> for all of one recipient\n',
    );
    const both = await sb(['dlq', 'purge', '101', '--agent', 'worker-1', '--yes']);
    expect(both.stderr).toBe('E_VALIDATION: give dead letter ids or --agent, not both\n');
  });
});

describe('tail', () => {
  it('prints the messages since a time, oldest first, across pages', async () => {
    const since = new Date().toISOString();
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      ids.push(await send(`topic:builds.${n}`, `{"n":${n}}`));
      await send('topic:other.thing', '0');
    }
    const tailed = await sb([
      'tail',
      'builds.*',
      '--since',
      since,
      '--limit',
      '2',
      '--count',
      '5',
      '--json',
    ]);
    expect(tailed.code).toBe(0);
    const lines = tailed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string });
    expect(lines.map((line) => line.id)).toEqual(ids);
    const pages = router.callsOf('history').slice(-3);
    expect(pages.map((call) => call.request)).toEqual([
      { topic: 'builds.*', since, limit: 2 },
      { topic: 'builds.*', since, limit: 2, cursor: expect.any(String) },
      { topic: 'builds.*', since, limit: 2, cursor: expect.any(String) },
    ]);
  });

  it('follows new messages once each until Ctrl-C, riding out a failed poll', async () => {
    await send('topic:deploys.eu', '"before the tail"');
    const controller = new AbortController();
    let following: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      following = resolve;
    });
    let lines = 0;
    let seenAll: () => void = () => undefined;
    const printedAll = new Promise<void>((resolve) => {
      seenAll = resolve;
    });
    const tailing = sb(['tail', 'deploys.>', '--interval', '20'], gateway.adminToken, {
      signal: controller.signal,
      onStderr: (text) => {
        if (text.startsWith('following')) following();
      },
      onStdout: (text) => {
        lines += text.split('\n').length - 1;
        if (lines >= 3) seenAll();
      },
    });
    await started;
    await send('topic:deploys.eu', '{"v":1}');
    router.failNext('history', new SbError('E_UNAVAILABLE', 'the router is restarting'));
    await send('topic:builds.1', '"not followed"');
    await send('topic:deploys.us.west', '{"v":2}');
    await send('topic:deploys.eu', '{"v":3}');
    await printedAll;
    // More polls pass before the interrupt: none may print a message again.
    const polls = router.callsOf('history').length;
    while (router.callsOf('history').length < polls + 3) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    const result = await tailing;
    expect(result.code).toBe(0);
    const printed = result.stdout.trim().split('\n');
    expect(printed).toHaveLength(3);
    expect(printed[0]).toMatch(/^\S+Z {2}deploys\.eu {2}key:bootstrap {2}\{"v":1\}$/);
    expect(printed[1]).toMatch(/ {2}deploys\.us\.west {2}key:bootstrap {2}\{"v":2\}$/);
    expect(printed[2]).toMatch(/ {2}deploys\.eu {2}key:bootstrap {2}\{"v":3\}$/);
    expect(result.stderr).toBe(
      'following topic deploys.> (Ctrl-C stops)\nE_UNAVAILABLE: the router is restarting (still trying)\n',
    );
  });

  it('fails at once on a refused pattern or without messages:read', async () => {
    const bad = await sb(['tail', 'deploys..x']);
    expect(bad).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^E_VALIDATION: .*query\.topic/),
    });
    const created = await sb([
      'keys',
      'create',
      '--name',
      'agents only',
      '--scope',
      'agents:read',
      '--json',
    ]);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const denied = await sb(['tail', 'deploys.>'], token);
    expect(denied).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^E_FORBIDDEN: .*scope messages:read\n$/),
    });
  });
});
