import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from './create-logger.ts';
import { LogLevelSchema } from './levels.ts';
import { capture } from './test-capture.ts';

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

function loggerFor(overrides: Partial<LoggerOptions> = {}) {
  const out = capture();
  const log = createLogger({
    service: 'router',
    instanceId: 'router-1',
    level: 'info',
    format: 'json',
    destination: out.stream,
    ...overrides,
  });
  return { log, out };
}

describe('createLogger', () => {
  it('writes JSON lines with service, instance id, level label and ISO time', () => {
    const { log, out } = loggerFor();

    log.info({ count: 2 }, 'started');

    const [line] = out.lines();
    expect(line).toMatchObject({
      service: 'router',
      instanceId: 'router-1',
      level: 'info',
      count: 2,
      msg: 'started',
    });
    expect(new Date(String(line?.time)).toISOString()).toBe(line?.time);
    expect(line).not.toHaveProperty('pid');
  });

  it('adds the fields of a child and of its children', () => {
    const { log, out } = loggerFor();

    log.child({ agentId: 'agent-7' }).child({ traceId: 'trace-9' }).warn('slow');

    expect(out.lines()[0]).toMatchObject({
      service: 'router',
      agentId: 'agent-7',
      traceId: 'trace-9',
      level: 'warn',
    });
  });

  it('serializes an error under err with its stack and cause', () => {
    const { log, out } = loggerFor();
    const cause = new Error('connection refused');

    log.error({ err: new CodedError('E_UNAVAILABLE', 'bus unreachable', { cause }) }, 'failed');

    const err = out.lines()[0]?.err as Record<string, unknown>;
    expect(err).toMatchObject({
      type: 'CodedError',
      code: 'E_UNAVAILABLE',
      message: 'bus unreachable',
    });
    expect(err.stack).toContain('bus unreachable');
    expect(err.cause).toMatchObject({ message: 'connection refused' });
  });

  it('applies setLevel to the root and to children made before and after it', () => {
    const { log, out } = loggerFor();
    const before = log.child({ agentId: 'before' });
    before.debug('hidden at info');
    log.debug('hidden at info');

    log.setLevel('debug');
    const after = log.child({ agentId: 'after' });
    log.debug('root');
    before.debug('before');
    before.child({ traceId: 't' }).debug('grandchild');
    after.debug('after');

    expect(out.lines().map((line) => line.msg)).toEqual(['root', 'before', 'grandchild', 'after']);

    log.setLevel('warn');
    before.info('hidden at warn');
    after.info('hidden at warn');
    log.info('hidden at warn');
    expect(out.lines()).toHaveLength(4);
  });

  it('applies setLevel to children that hold a level of their own', () => {
    const { log, out } = loggerFor();
    const quiet = log.child({ agentId: 'quiet' }, { level: 'error' });
    const quietChild = quiet.child({ traceId: 't' });
    const reassigned = log.child({ agentId: 'reassigned' });
    reassigned.level = 'fatal';

    log.setLevel('debug');
    quiet.debug('quiet');
    quietChild.debug('quiet child');
    reassigned.debug('reassigned');

    expect(out.lines().map((line) => line.msg)).toEqual(['quiet', 'quiet child', 'reassigned']);
  });

  it('redacts secrets by default and extra paths on request', () => {
    const { log, out } = loggerFor({ redact: ['connection.dsn'] });

    log.info(
      {
        user: { name: 'ada', password: 'hunter2' },
        req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'sb-principal': 'ada' } },
        nats: { tls: { key: 'PEM' } },
        token: 'tok',
        connection: { dsn: 'postgres://u:p@h/db' },
      },
      'request',
    );

    const text = out.text();
    for (const secret of ['hunter2', 'Bearer abc', 'sid=1', 'PEM', 'tok"', 'u:p@h']) {
      expect(text).not.toContain(secret);
    }
    expect(out.lines()[0]).toMatchObject({
      user: { name: 'ada', password: '[redacted]' },
      req: { headers: { authorization: '[redacted]', 'sb-principal': 'ada' } },
      connection: { dsn: '[redacted]' },
    });
  });

  it('writes pretty, human-readable lines in pretty format', () => {
    const { log, out } = loggerFor({ format: 'pretty' });

    log.child({ agentId: 'agent-7' }).info('agent connected');

    const text = out.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toContain('agent connected');
    expect(text).toContain('[router]');
    expect(text).toContain('agent-7');
    expect(text).toContain('INFO');
  });

  it('flushes with a promise and with a callback', async () => {
    const { log } = loggerFor();
    let calledBack = false;

    await log.flush(() => {
      calledBack = true;
    });

    expect(calledBack).toBe(true);
  });

  it('drops lines and ignores setLevel once closed', async () => {
    const { log, out } = loggerFor();
    const child = log.child({ agentId: 'a' });
    log.info('before close');

    await log.close();
    await log.close();
    log.setLevel('trace');
    log.error('after close');
    child.error('after close');

    expect(out.lines().map((line) => line.msg)).toEqual(['before close']);
  });
});

describe('LogLevelSchema', () => {
  it('accepts pino levels and silent, and refuses anything else', () => {
    expect(LogLevelSchema.parse('silent')).toBe('silent');
    expect(LogLevelSchema.safeParse('verbose').success).toBe(false);
  });
});
