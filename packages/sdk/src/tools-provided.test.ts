import { SbError } from '@switchboard/protocol';
import { describe, expect, it } from 'vitest';
import type { OutgoingFrame } from './frames.ts';
import { ProvidedTools } from './tools-provided.ts';

const log = { debug() {}, info() {}, warn() {}, error() {} } as never;

const callFrame = (name: string, args: Record<string, unknown> = {}, deadlineMs = 5000) =>
  ({
    v: 1,
    id: 'g1',
    type: 'tool.call',
    callId: 'c1',
    name,
    version: '1.0.0',
    arguments: args,
    deadline: new Date(Date.now() + deadlineMs).toISOString(),
  }) as never;

const definition = { name: 'math.add', version: '1.0.0', inputSchema: { type: 'object' } };

async function run(tools: ProvidedTools, frame: never): Promise<OutgoingFrame> {
  let answer: OutgoingFrame | undefined;
  await tools.run(frame, (sent) => {
    answer = sent;
  });
  if (answer === undefined) throw new Error('no answer');
  return answer;
}

describe('ProvidedTools', () => {
  it('runs the handler of the named version and answers with its result', async () => {
    const tools = new ProvidedTools();
    tools.add(definition, (args) => Number(args.a) + Number(args.b));
    expect(await run(tools, callFrame('math.add', { a: 1, b: 2 }))).toEqual({
      type: 'tool.result',
      callId: 'c1',
      result: 3,
    });
  });

  it('answers undefined as null, a thrown SbError with its code, anything else as E_INTERNAL', async () => {
    const tools = new ProvidedTools();
    tools.add({ ...definition, name: 'a' }, () => undefined as never);
    tools.add({ ...definition, name: 'b' }, () => {
      throw new SbError('E_UNAVAILABLE', 'down');
    });
    tools.add({ ...definition, name: 'c' }, () => {
      throw new Error('boom');
    });
    expect(await run(tools, callFrame('a'))).toMatchObject({ result: null });
    expect(await run(tools, callFrame('b'))).toMatchObject({
      error: { code: 'E_UNAVAILABLE', message: 'down' },
    });
    expect(await run(tools, callFrame('c'))).toMatchObject({
      error: { code: 'E_INTERNAL', message: 'tool c failed: boom' },
    });
  });

  it('answers E_NOT_FOUND for a tool it does not provide', async () => {
    const tools = new ProvidedTools();
    expect(await run(tools, callFrame('nope'))).toMatchObject({ error: { code: 'E_NOT_FOUND' } });
  });

  it('aborts the handler at the deadline and answers E_TIMEOUT whatever it does then', async () => {
    const tools = new ProvidedTools();
    tools.add(
      { ...definition, name: 'returns' },
      (_args, context) =>
        new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(1))),
    );
    tools.add(
      { ...definition, name: 'throws' },
      (_args, context) =>
        new Promise((_resolve, reject) =>
          context.signal.addEventListener('abort', () =>
            reject(new SbError('E_UNAVAILABLE', 'gone')),
          ),
        ),
    );
    for (const name of ['returns', 'throws']) {
      expect(await run(tools, callFrame(name, {}, 20))).toMatchObject({
        error: {
          code: 'E_TIMEOUT',
          message: expect.stringContaining(`tool ${name}@1.0.0 ran past the call's deadline`),
        },
      });
    }
  });

  it('refuses a malformed definition', () => {
    expect(() => new ProvidedTools().add({ ...definition, version: 'one' }, () => 1)).toThrow(
      expect.objectContaining({ code: 'E_VALIDATION' }),
    );
  });

  it('registers every tool again on a new connection; forgets them when refused', async () => {
    const tools = new ProvidedTools();
    tools.add(definition, () => 1);
    const sent: OutgoingFrame[] = [];
    await tools.restore(async (frame) => {
      sent.push(frame);
      return { v: 1, id: 'x', type: 'result', re: 'y' };
    }, log);
    expect(sent).toMatchObject([{ type: 'tools.register', tools: [{ name: 'math.add' }] }]);
    await tools.restore(async () => {
      throw new SbError('E_UNAVAILABLE', 'closed');
    }, log);
    await tools.restore(async () => {
      throw new SbError('E_CONFLICT', 'other definition');
    }, log);
    const after: OutgoingFrame[] = [];
    await tools.restore(async (frame) => {
      after.push(frame);
      return { v: 1, id: 'x', type: 'result', re: 'y' };
    }, log);
    expect(after).toEqual([]);
  });
});
