import { describe, expect, it } from 'vitest';
import {
  ALL_FAULTS,
  chaosPlan,
  countFaults,
  type FaultRecord,
  healthyP99LimitMs,
  labelOf,
  lastWords,
  MeshServices,
  parseFaults,
  SMOKE_FAULTS,
  targetOf,
  unhealthySeconds,
  withHealthyAfter,
} from './faults.ts';

const timing = {
  spacingMs: 20_000,
  pauseMs: 10_000,
  beforeMs: 15_000,
  afterMs: 12_000,
  injectAfterMs: 3000,
};

describe('parseFaults', () => {
  it('reads every kind of fault, in the order given', () => {
    expect(
      parseFaults(
        'kill:router, kill:gateway-b+state,pause:tasks,redis-loss,nats-restart,postgres-restart,postgres-restart:immediate',
      ),
    ).toEqual([
      { kind: 'kill', services: ['router'] },
      { kind: 'kill', services: ['gateway-b', 'state'] },
      { kind: 'pause', services: ['tasks'] },
      { kind: 'redis-loss' },
      { kind: 'nats-restart' },
      { kind: 'postgres-restart', mode: 'fast' },
      { kind: 'postgres-restart', mode: 'immediate' },
    ]);
  });

  it('expands all to every service killed in turn, two at once, and every other kind', () => {
    const faults = parseFaults('all');
    expect(parseFaults(ALL_FAULTS)).toEqual(faults);
    const killed = faults.filter((fault) => fault.kind === 'kill');
    expect(killed.filter((fault) => fault.services.length === 1).map((f) => f.services[0])).toEqual(
      [...MeshServices],
    );
    expect(killed.some((fault) => fault.services.length === 2)).toBe(true);
    expect(new Set(faults.map((fault) => fault.kind))).toEqual(
      new Set(['kill', 'pause', 'redis-loss', 'nats-restart', 'postgres-restart']),
    );
    expect(faults.filter((fault) => fault.kind === 'postgres-restart')).toEqual([
      { kind: 'postgres-restart', mode: 'fast' },
      { kind: 'postgres-restart', mode: 'immediate' },
    ]);
  });

  it('keeps the smoke schedule short: a router, a gateway and Redis', () => {
    expect(parseFaults(SMOKE_FAULTS).map(labelOf)).toEqual([
      'kill router',
      'kill gateway-a',
      'redis-loss redis-server',
    ]);
  });

  it.each([
    ['', 'names no fault'],
    [' , ', 'names no fault'],
    ['kill', 'name the service(s) to kill'],
    ['kill:+', 'name the service(s) to kill'],
    ['kill:router+router', 'a service named twice'],
    ['kill:postgres', 'no service postgres'],
    ['pause:', 'no service '],
    ['redis-loss:now', 'redis-loss takes no argument'],
    ['nats-restart:hard', 'nats-restart takes no argument'],
    ['postgres-restart:smart', 'the stop mode is fast or immediate'],
    ['reboot', 'unknown kind'],
  ])('refuses %j (%s)', (text, message) => {
    expect(() => parseFaults(text)).toThrow(message);
  });
});

describe('targetOf and labelOf', () => {
  it('names what each fault hits', () => {
    expect(
      parseFaults(
        'kill:gateway-a+router,pause:state,redis-loss,nats-restart,postgres-restart:immediate',
      ).map((fault) => [targetOf(fault), labelOf(fault)]),
    ).toEqual([
      ['gateway-a + router', 'kill gateway-a + router'],
      ['state', 'pause state'],
      ['redis-server', 'redis-loss redis-server'],
      ['nats-server', 'nats-restart nats-server'],
      ['postgres (stop -m immediate)', 'postgres-restart postgres (stop -m immediate)'],
    ]);
  });
});

describe('chaosPlan', () => {
  it('runs a phase without faults, one per fault (a pause longer by its pause), one after', () => {
    const plan = chaosPlan(parseFaults('kill:router,pause:tasks'), timing);
    expect(plan).toEqual([
      { name: 'before the faults', durationMs: 15_000, injectAfterMs: 0 },
      {
        name: '1: kill router',
        durationMs: 20_000,
        fault: { kind: 'kill', services: ['router'] },
        injectAfterMs: 3000,
      },
      {
        name: '2: pause tasks',
        durationMs: 30_000,
        fault: { kind: 'pause', services: ['tasks'] },
        injectAfterMs: 3000,
      },
      { name: 'after the faults', durationMs: 12_000, injectAfterMs: 0 },
    ]);
  });

  it('refuses a fault injected after its phase ended', () => {
    expect(() =>
      chaosPlan(parseFaults('redis-loss'), { ...timing, injectAfterMs: 20_000 }),
    ).toThrow('before its phase ends');
  });
});

const record = (atS: number, kind: FaultRecord['kind'] = 'kill'): FaultRecord => ({
  kind,
  target: 'router',
  label: `${kind} router`,
  atS,
  backAfterS: 2,
});

describe('countFaults', () => {
  it('counts the faults of each kind', () => {
    expect(countFaults([record(1), record(2, 'redis-loss'), record(3)])).toEqual({
      kill: 2,
      'redis-loss': 1,
    });
    expect(countFaults([])).toEqual({});
  });
});

describe('withHealthyAfter', () => {
  // Seconds 0..9: errors in 3 and 4, a slow p99 in 6, healthy otherwise.
  const seconds = Array.from({ length: 10 }, (_, atS) => ({
    atS,
    p99Ms: atS === 6 ? 900 : 50,
    errorsPerSecond: atS === 3 || atS === 4 ? 5 : 0,
  }));

  it('counts from the fault to the first run of healthy seconds', () => {
    const [early, late] = withHealthyAfter([record(2.5), record(5.2)], seconds, 500, 3);
    // From 2.5: seconds 3, 4 fail, 5 passes, 6 fails, 7-9 pass: healthy from 7.
    expect(early?.healthyAfterS).toBeCloseTo(4.5);
    expect(late?.healthyAfterS).toBeCloseTo(1.8);
    expect(early?.label).toBe('kill router');
  });

  it('leaves it undefined when the run ended before the load was healthy again', () => {
    expect(withHealthyAfter([record(8)], seconds, 500, 3)[0]?.healthyAfterS).toBeUndefined();
  });
});

describe('healthyP99LimitMs', () => {
  it('is the target, or twice the p99 before the faults on a machine slower than that', () => {
    expect(healthyP99LimitMs(500, 120)).toBe(500);
    expect(healthyP99LimitMs(500, 900)).toBe(1800);
  });
});

describe('unhealthySeconds', () => {
  it('counts seconds with errors or a p99 over the limit', () => {
    expect(
      unhealthySeconds(
        [
          { atS: 0, p99Ms: 10, errorsPerSecond: 0 },
          { atS: 1, p99Ms: 600, errorsPerSecond: 0 },
          { atS: 2, p99Ms: 10, errorsPerSecond: 1 },
        ],
        500,
      ),
    ).toBe(2);
  });
});

describe('lastWords', () => {
  const log = (level: number, msg: string, err?: string) =>
    JSON.stringify({ level, msg, ...(err === undefined ? {} : { err: { message: err } }) });

  it('names the error Node printed when the process died of it', () => {
    expect(
      lastWords([
        log(50, 'a query failed', 'connection ended'),
        'node:internal/process/promises:391',
        '    triggerUncaughtException(err, true /* fromPromise */);',
        'PostgresError: terminating connection due to administrator command',
        '    at ErrorResponse (file:///x/connection.js:1:1)',
        'Node.js v20.20.2',
      ]),
    ).toBe('PostgresError: terminating connection due to administrator command');
  });

  it('else the last error it logged, else its last line, else nothing', () => {
    expect(
      lastWords([log(50, 'dispatch failed', 'write CONNECTION_CLOSED'), log(30, 'still here')]),
    ).toBe('dispatch failed: write CONNECTION_CLOSED');
    expect(lastWords([log(60, 'fatal')])).toBe('fatal');
    expect(lastWords([log(30, 'stopping'), 'bye'])).toBe('bye');
    expect(lastWords([log(30, 'ready')])).toBe(log(30, 'ready'));
    expect(lastWords(['{"msg":"no level"}'])).toBe('{"msg":"no level"}');
    expect(lastWords([])).toBeUndefined();
  });
});
