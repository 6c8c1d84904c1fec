import { A2aHeaders, type DeliveredMessage, type JsonValue, SbError } from '@switchboard/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { A2aInbox, type A2aTask, isA2aCancel, isA2aMessage, partsOf } from './a2a.ts';
import type { OutgoingFrame } from './frames.ts';
import type { SdkLogger } from './logger.ts';
import { deliveredMessage, gate } from './test-messages.ts';

// A2aInbox is pure logic over the `request` callback that sends frames: these tests hand it a
// fake that records the frames (and fails when told to), so each behaviour is seen exactly.

const context = { deliveryId: '1', attempt: 1 };

function setup(
  options: {
    fail?: (frame: OutgoingFrame) => unknown;
    /** Holds a frame's answer until the promise it returns settles. */
    hold?: (frame: OutgoingFrame) => Promise<void> | undefined;
    workingDelayMs?: number;
  } = {},
) {
  const frames: OutgoingFrame[] = [];
  const warnings: Array<Record<string, unknown>> = [];
  const debugs: Array<Record<string, unknown>> = [];
  const ignore = () => undefined;
  const log: SdkLogger = {
    debug: (fields) => void debugs.push(fields),
    info: ignore,
    error: ignore,
    warn: (fields) => void warnings.push(fields),
  };
  const inbox = new A2aInbox({
    request: async (frame) => {
      const failure = options.fail?.(frame);
      if (failure !== undefined) throw failure;
      frames.push(frame);
      await options.hold?.(frame);
      return { state: 'ok', duplicate: false };
    },
    log,
    workingDelayMs: options.workingDelayMs ?? 2000,
    retry: { backoffMs: () => 1, lifetime: new AbortController().signal, retryForMs: 1000 },
  });
  return { inbox, frames, warnings, debugs };
}

function a2aMessage(
  fields: { taskId?: string; kind?: string; payload?: JsonValue; expiresInMs?: number } = {},
): DeliveredMessage {
  const taskId = fields.taskId ?? 'task-1';
  return deliveredMessage({
    id: '01900000-0000-7000-8000-000000000001',
    headers: { [A2aHeaders.task]: taskId, [A2aHeaders.kind]: fields.kind ?? 'message' },
    conversationId: 'ctx-1',
    // The automatic `working` report comes no later than half the time left before expiry.
    expiresAt: new Date(Date.now() + (fields.expiresInMs ?? 3_600_000)).toISOString(),
    payload: fields.payload ?? {
      taskId,
      contextId: 'ctx-1',
      skill: 'echo',
      message: {
        messageId: 'm-1',
        role: 'ROLE_USER',
        parts: [{ text: 'hello' }, { data: { n: 1 } }, { text: 'world' }, { data: [2] }],
      },
    },
  });
}

const cancelOf = (taskId = 'task-1') => a2aMessage({ taskId, kind: 'cancel', payload: {} });

/** The frames without their constant fields, as `[updateId, status or artifact]`. */
const updates = (frames: OutgoingFrame[]) =>
  frames.map((frame) => {
    const { type, taskId, updateId, ...rest } = frame as unknown as Record<string, unknown>;
    expect(type).toBe('a2a.update');
    expect(taskId).toBe('task-1');
    return [updateId, rest];
  });

describe('partsOf', () => {
  it('makes a text part of a string', () => {
    expect(partsOf('hi')).toEqual([{ text: 'hi' }]);
  });

  it('keeps the parts of a `{ parts }` reply as they are', () => {
    const parts = [{ text: 'a' }, { url: 'https://example.com/x' }];
    expect(partsOf({ parts })).toBe(parts);
  });

  it('makes a data part of any other JSON', () => {
    for (const value of [{ answer: 42 }, [1, 2], 7, true, null, { parts: 'not a list' }]) {
      expect(partsOf(value as JsonValue)).toEqual([{ data: value }]);
    }
  });
});

describe('isA2aMessage / isA2aCancel', () => {
  it('tells A2A messages and cancels from other messages by their headers', () => {
    expect(isA2aMessage(a2aMessage())).toBe(true);
    expect(isA2aCancel(a2aMessage())).toBe(false);
    expect(isA2aCancel(cancelOf())).toBe(true);
    expect(isA2aMessage(deliveredMessage())).toBe(false);
    expect(isA2aCancel(deliveredMessage({ headers: { [A2aHeaders.kind]: 'cancel' } }))).toBe(false);
  });
});

describe('A2aInbox', () => {
  it('hands the handler the request and completes the task with what it returns', async () => {
    const { inbox, frames } = setup();
    let seen: unknown;
    inbox.serve(async (request) => {
      seen = request;
      return 'done';
    });
    const message = a2aMessage();
    await inbox.handle(message, undefined, context);
    expect(seen).toMatchObject({
      taskId: 'task-1',
      contextId: 'ctx-1',
      skill: 'echo',
      text: 'hello\nworld',
      data: [{ n: 1 }, [2]],
      delivered: message,
    });
    expect(updates(frames)).toEqual([
      [
        `${message.id}:1`,
        { status: { state: 'completed', message: { parts: [{ text: 'done' }] } } },
      ],
    ]);
  });

  it('completes without a message when the handler returns nothing', async () => {
    const { inbox, frames } = setup();
    inbox.serve(async () => undefined);
    await inbox.handle(a2aMessage(), undefined, context);
    expect(updates(frames).map(([, update]) => update)).toEqual([
      { status: { state: 'completed' } },
    ]);
  });

  it('sends each progress step, artifact and outcome with ids that repeat on redelivery', async () => {
    const { inbox, frames } = setup();
    inbox.serve(async (_request, task) => {
      await task.working();
      await task.working('halfway');
      await task.artifact({ content: 'first' });
      await task.artifact({
        artifactId: 'report',
        name: 'Report',
        description: 'The report',
        content: { parts: [{ text: 'more' }] },
        append: true,
        lastChunk: true,
      });
      await task.complete({ total: 2 });
      return 'ignored: the task already ended';
    });
    const message = a2aMessage();
    await inbox.handle(message, undefined, context);
    const first = updates(frames);
    expect(first).toEqual([
      [`${message.id}:1`, { status: { state: 'working' } }],
      [
        `${message.id}:2`,
        { status: { state: 'working', message: { parts: [{ text: 'halfway' }] } } },
      ],
      [`${message.id}:3`, { artifact: { artifactId: 'artifact-1', parts: [{ text: 'first' }] } }],
      [
        `${message.id}:4`,
        {
          artifact: {
            artifactId: 'report',
            name: 'Report',
            description: 'The report',
            parts: [{ text: 'more' }],
            append: true,
            lastChunk: true,
          },
        },
      ],
      [
        `${message.id}:5`,
        { status: { state: 'completed', message: { parts: [{ data: { total: 2 } }] } } },
      ],
    ]);
    frames.length = 0;
    await inbox.handle(message, undefined, context);
    expect(updates(frames)).toEqual(first);
  });

  it('completes a task the handler reported working on when it returns', async () => {
    const { inbox, frames } = setup();
    inbox.serve(async (_request, task) => {
      await task.working('on it');
      return 'finished';
    });
    await inbox.handle(a2aMessage(), undefined, context);
    expect(updates(frames).map(([, update]) => update)).toEqual([
      { status: { state: 'working', message: { parts: [{ text: 'on it' }] } } },
      { status: { state: 'completed', message: { parts: [{ text: 'finished' }] } } },
    ]);
  });

  it('leaves a task that waits for the caller as it is', async () => {
    for (const ask of ['requireInput', 'requireAuth'] as const) {
      const { inbox, frames } = setup();
      inbox.serve(async (_request, task) => {
        await task[ask]('who are you?');
        return 'not sent';
      });
      await inbox.handle(a2aMessage(), undefined, context);
      expect(updates(frames).map(([, update]) => update)).toEqual([
        {
          status: {
            state: ask === 'requireInput' ? 'input-required' : 'auth-required',
            message: { parts: [{ text: 'who are you?' }] },
          },
        },
      ]);
    }
  });

  it('ends the task as the handler says: failed or rejected', async () => {
    for (const end of ['fail', 'reject'] as const) {
      const { inbox, frames } = setup();
      inbox.serve(async (_request, task) => {
        await task[end]('no');
        return 'not sent';
      });
      await inbox.handle(a2aMessage(), undefined, context);
      expect(updates(frames).map(([, update]) => update)).toEqual([
        {
          status: {
            state: end === 'fail' ? 'failed' : 'rejected',
            message: { parts: [{ text: 'no' }] },
          },
        },
      ]);
    }
  });

  it('refuses an update after the task ended', async () => {
    const { inbox, frames } = setup();
    let refused: unknown;
    inbox.serve(async (_request, task) => {
      await task.complete('done');
      refused = await task.working('more').catch((error: unknown) => error);
      return undefined;
    });
    await inbox.handle(a2aMessage(), undefined, context);
    expect(refused).toMatchObject({ code: 'E_CONFLICT' });
    expect(frames).toHaveLength(1);
  });

  it('fails the task with the message of what the handler threw, and logs it', async () => {
    const { inbox, frames, warnings } = setup();
    inbox.serve(async () => {
      throw new Error('the model is down');
    });
    await inbox.handle(a2aMessage(), undefined, context);
    expect(updates(frames).map(([, update]) => update)).toEqual([
      { status: { state: 'failed', message: { parts: [{ text: 'the model is down' }] } } },
    ]);
    expect(warnings).toEqual([expect.objectContaining({ taskId: 'task-1' })]);

    const other = setup();
    other.inbox.serve(async () => {
      throw 'a bare string';
    });
    await other.inbox.handle(a2aMessage(), undefined, context);
    expect(updates(other.frames).map(([, update]) => update)).toEqual([
      { status: { state: 'failed', message: { parts: [{ text: 'a bare string' }] } } },
    ]);
  });

  it('aborts a running handler when its task is cancelled and sends nothing after', async () => {
    const { inbox, frames } = setup();
    const started = gate();
    let reason: unknown;
    inbox.serve(async (_request, task: A2aTask) => {
      await task.working();
      started.open();
      await new Promise<void>((resolve) => task.signal.addEventListener('abort', () => resolve()));
      reason = task.signal.reason;
      return 'too late';
    });
    const running = inbox.handle(a2aMessage(), undefined, context);
    await started.promise;
    await inbox.handle(cancelOf(), undefined, context);
    await running;
    expect(reason).toMatchObject({ code: 'E_CONFLICT', message: 'task task-1 was canceled' });
    expect(updates(frames).map(([, update]) => update)).toEqual([{ status: { state: 'working' } }]);
  });

  it('does not fail a cancelled task when its handler throws on the abort', async () => {
    const { inbox, frames, warnings } = setup();
    const started = gate();
    inbox.serve(async (_request, task) => {
      started.open();
      await new Promise<void>((_resolve, reject) =>
        task.signal.addEventListener('abort', () => reject(task.signal.reason)),
      );
      return undefined;
    });
    const running = inbox.handle(a2aMessage(), undefined, context);
    await started.promise;
    await inbox.handle(cancelOf(), undefined, context);
    await running;
    expect(frames).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('ignores a cancel for a task that runs no handler here', async () => {
    const { inbox, frames } = setup();
    await expect(inbox.handle(cancelOf('elsewhere'), undefined, context)).resolves.toBeUndefined();
    expect(frames).toEqual([]);
  });

  it('cancels the newest turn of a task when two ran at once', async () => {
    const { inbox } = setup();
    const firstTurn = gate();
    const secondTurn = gate();
    const signals: AbortSignal[] = [];
    inbox.serve(async (_request, task) => {
      signals.push(task.signal);
      await (signals.length === 1 ? firstTurn : secondTurn).promise;
      return undefined;
    });
    const first = inbox.handle(a2aMessage(), undefined, context);
    const second = inbox.handle(a2aMessage(), undefined, context);
    firstTurn.open();
    await first;
    await inbox.handle(cancelOf(), undefined, context);
    expect(signals.map((signal) => signal.aborted)).toEqual([false, true]);
    secondTurn.open();
    await second;
  });

  it('stops the handler when the mesh says the task ended elsewhere', async () => {
    const conflict = new SbError('E_CONFLICT', 'task task-1 has ended (canceled)');
    const { inbox, frames, warnings } = setup({ fail: () => conflict });
    let aborted = false;
    let thrown: unknown;
    inbox.serve(async (_request, task) => {
      thrown = await task.working().catch((error: unknown) => error);
      aborted = task.signal.aborted;
      throw thrown;
    });
    await inbox.handle(a2aMessage(), undefined, context);
    expect(thrown).toBe(conflict);
    expect(aborted).toBe(true);
    expect(frames).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('sends an update again, with the same id, when it was not answered or was throttled', async () => {
    const refusals = [
      new SbError('E_TIMEOUT', 'the gateway did not answer'),
      new SbError('E_RATE_LIMITED', 'slow down', { details: { retryAfterMs: 5 } }),
    ];
    const tried: string[] = [];
    const { inbox, frames } = setup({
      fail: (frame) => {
        tried.push((frame as { updateId: string }).updateId);
        return refusals.shift();
      },
    });
    inbox.serve(async (_request, task) => {
      await task.working();
      return 'done';
    });
    await inbox.handle(a2aMessage(), undefined, context);
    const first = `${a2aMessage().id}:1`;
    expect(tried).toEqual([first, first, first, `${a2aMessage().id}:2`]);
    expect(updates(frames).map(([, update]) => update)).toEqual([
      { status: { state: 'working' } },
      { status: { state: 'completed', message: { parts: [{ text: 'done' }] } } },
    ]);
  });

  it('fails the task when an update is refused for good', async () => {
    let refusals = 1;
    const { inbox, frames } = setup({
      fail: () => (refusals-- > 0 ? new SbError('E_FORBIDDEN', 'not your task') : undefined),
    });
    inbox.serve(async (_request, task) => {
      await task.working();
      return 'unreached';
    });
    await inbox.handle(a2aMessage(), undefined, context);
    expect(updates(frames).map(([, update]) => update)).toEqual([
      { status: { state: 'failed', message: { parts: [{ text: 'not your task' }] } } },
    ]);
  });

  it('hands A2A messages to the message handler when none serves A2A, completing with its value', async () => {
    const { inbox, frames } = setup();
    const message = a2aMessage();
    let handled: unknown;
    await inbox.handle(
      message,
      (delivered, delivery) => {
        handled = { delivered, delivery };
        return { reply: 'from onMessage' };
      },
      context,
    );
    expect(handled).toEqual({ delivered: message, delivery: context });
    expect(updates(frames).map(([, update]) => update)).toEqual([
      {
        status: { state: 'completed', message: { parts: [{ data: { reply: 'from onMessage' } }] } },
      },
    ]);
  });

  it('fails the task when the message handler throws', async () => {
    const { inbox, frames } = setup();
    await inbox.handle(
      a2aMessage(),
      () => {
        throw new Error('cannot answer that');
      },
      context,
    );
    expect(updates(frames).map(([, update]) => update)).toEqual([
      { status: { state: 'failed', message: { parts: [{ text: 'cannot answer that' }] } } },
    ]);
  });

  it('prefers the A2A handler over the message handler', async () => {
    const { inbox } = setup();
    inbox.serve(async () => 'a2a');
    let fallbackCalls = 0;
    await inbox.handle(
      a2aMessage(),
      () => {
        fallbackCalls += 1;
      },
      context,
    );
    expect(fallbackCalls).toBe(0);
  });

  it('refuses a message while no handler is set, so the router delivers it again later', async () => {
    const { inbox } = setup();
    expect(inbox.serving).toBe(false);
    await expect(inbox.handle(a2aMessage(), undefined, context)).rejects.toMatchObject({
      code: 'E_UNAVAILABLE',
    });
  });

  it('refuses a payload that is not an A2A message', async () => {
    const { inbox } = setup();
    inbox.serve(async () => 'x');
    await expect(
      inbox.handle(a2aMessage({ payload: { taskId: 'task-1' } }), undefined, context),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
  });

  it('removes only the handler it set', async () => {
    const { inbox } = setup();
    const removeFirst = inbox.serve(async () => 'first');
    expect(inbox.serving).toBe(true);
    const removeSecond = inbox.serve(async () => 'second');
    removeFirst();
    expect(inbox.serving).toBe(true);
    removeSecond();
    expect(inbox.serving).toBe(false);
  });
});

describe('A2aInbox: the automatic `working` report', () => {
  // Fake timers: the report's delay is the point of these tests, and they show its moment exactly.
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  // Only while the task is still `submitted`: the peer skips it once the task moved on.
  const working = (message: DeliveredMessage) => [
    `${message.id}:working`,
    { status: { state: 'working' }, ifState: 'submitted' },
  ];
  const completed = (message: DeliveredMessage, n: number, text = 'done') => [
    `${message.id}:${n}`,
    { status: { state: 'completed', message: { parts: [{ text }] } } },
  ];

  /** A handler that waits for `release` before it answers `done`. */
  function slowHandler() {
    const release = gate();
    const handler = async () => {
      await release.promise;
      return 'done';
    };
    return { release, handler };
  }

  it('reports working once for a handler still running after the delay, then completes', async () => {
    const { inbox, frames } = setup();
    const { release, handler } = slowHandler();
    inbox.serve(handler);
    const message = a2aMessage();
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(1999);
    expect(frames).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(updates(frames)).toEqual([working(message)]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(frames).toHaveLength(1);
    release.open();
    await running;
    // Its own id keeps the handler's numbering: the outcome is still `:1`.
    expect(updates(frames)).toEqual([working(message), completed(message, 1)]);
  });

  it('names submitted as its precondition, which the handler’s own working does not', async () => {
    const { inbox, frames } = setup();
    const release = gate();
    inbox.serve(async (_request, task) => {
      await release.promise;
      await task.working('resumed');
      return 'done';
    });
    const message = a2aMessage();
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(2000);
    release.open();
    await running;
    expect(updates(frames)).toEqual([
      working(message),
      [
        `${message.id}:1`,
        { status: { state: 'working', message: { parts: [{ text: 'resumed' }] } } },
      ],
      completed(message, 2),
    ]);
  });

  it('costs a fast handler nothing', async () => {
    const { inbox, frames } = setup();
    inbox.serve(async () => 'done');
    const message = a2aMessage();
    await inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(updates(frames)).toEqual([completed(message, 1)]);
  });

  it('stays quiet for a handler that reported first, by a status or an artifact', async () => {
    for (const report of ['working', 'artifact'] as const) {
      const { inbox, frames } = setup();
      const release = gate();
      inbox.serve(async (_request, task) => {
        if (report === 'working') await task.working('on it');
        else await task.artifact({ content: 'first' });
        await release.promise;
        return 'done';
      });
      const message = a2aMessage();
      const running = inbox.handle(message, undefined, context);
      await vi.advanceTimersByTimeAsync(60_000);
      release.open();
      await running;
      expect(updates(frames).map(([updateId]) => updateId)).toEqual([
        `${message.id}:1`,
        `${message.id}:2`,
      ]);
    }
  });

  it('stays quiet on a follow-up message: the A2A peer made its task working already', async () => {
    const { inbox, frames } = setup();
    const { release, handler } = slowHandler();
    inbox.serve(handler);
    const message = a2aMessage({
      payload: {
        taskId: 'task-1',
        contextId: 'ctx-1',
        skill: null,
        message: {
          messageId: 'm-2',
          role: 'ROLE_USER',
          parts: [{ text: 'Ada' }],
          taskId: 'task-1',
        },
      },
    });
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(60_000);
    release.open();
    await running;
    expect(updates(frames)).toEqual([completed(message, 1)]);
  });

  it('reports by half the time left when the message expires sooner than the delay', async () => {
    const { inbox, frames } = setup();
    const { release, handler } = slowHandler();
    inbox.serve(handler);
    const message = a2aMessage({ expiresInMs: 1000 });
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(499);
    expect(frames).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(updates(frames)).toEqual([working(message)]);
    release.open();
    await running;
  });

  it('reports at once with a delay of 0', async () => {
    const { inbox, frames } = setup({ workingDelayMs: 0 });
    const { release, handler } = slowHandler();
    inbox.serve(handler);
    const message = a2aMessage();
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(0);
    expect(updates(frames)).toEqual([working(message)]);
    release.open();
    await running;
  });

  it('reports for the message handler too, when none serves A2A', async () => {
    const { inbox, frames } = setup();
    const release = gate();
    const message = a2aMessage();
    const running = inbox.handle(
      message,
      async () => {
        await release.promise;
        return 'done';
      },
      context,
    );
    await vi.advanceTimersByTimeAsync(2000);
    release.open();
    await running;
    expect(updates(frames)).toEqual([working(message), completed(message, 1)]);
  });

  it('logs a report that could not be sent at debug and carries on', async () => {
    const { inbox, frames, warnings, debugs } = setup({
      fail: (frame) =>
        (frame as { updateId?: string }).updateId?.endsWith(':working')
          ? new SbError('E_UNAVAILABLE', 'not connected')
          : undefined,
    });
    const { release, handler } = slowHandler();
    inbox.serve(handler);
    const message = a2aMessage();
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(2000);
    release.open();
    await running;
    expect(updates(frames)).toEqual([completed(message, 1)]);
    expect(debugs).toEqual([
      expect.objectContaining({
        taskId: 'task-1',
        err: expect.objectContaining({ code: 'E_UNAVAILABLE' }),
      }),
    ]);
    expect(warnings).toEqual([]);
  });

  it('stops the handler when the report hears the task ended, without failing it', async () => {
    const { inbox, frames, warnings, debugs } = setup({
      fail: (frame) =>
        (frame as { updateId?: string }).updateId?.endsWith(':working')
          ? new SbError('E_CONFLICT', 'task task-1 has ended (failed)')
          : undefined,
    });
    let reason: unknown;
    inbox.serve(async (_request, task) => {
      await new Promise<void>((resolve) => task.signal.addEventListener('abort', () => resolve()));
      reason = task.signal.reason;
      return 'too late';
    });
    const running = inbox.handle(a2aMessage(), undefined, context);
    await vi.advanceTimersByTimeAsync(2000);
    await running;
    expect(reason).toMatchObject({ code: 'E_CONFLICT' });
    expect(frames).toEqual([]);
    expect(warnings).toEqual([]);
    expect(debugs).toHaveLength(1);
  });

  it("sends the handler's first update only once the report in flight has its answer", async () => {
    const answer = gate();
    const { inbox, frames } = setup({
      hold: (frame) =>
        (frame as { updateId?: string }).updateId?.endsWith(':working')
          ? answer.promise
          : undefined,
    });
    const release = gate();
    inbox.serve(async (_request, task) => {
      await release.promise;
      await task.requireInput('what is your name?');
      return undefined;
    });
    const message = a2aMessage();
    const running = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(2000);
    release.open();
    await vi.advanceTimersByTimeAsync(0);
    // Sent together, `working` could land after `input-required` and undo it.
    expect(updates(frames)).toEqual([working(message)]);
    answer.open();
    await running;
    expect(updates(frames)).toEqual([
      working(message),
      [
        `${message.id}:1`,
        {
          status: {
            state: 'input-required',
            message: { parts: [{ text: 'what is your name?' }] },
          },
        },
      ],
    ]);
  });

  it('stays quiet once the task was cancelled, even while the handler still runs', async () => {
    const { inbox, frames } = setup();
    const { release, handler } = slowHandler();
    inbox.serve(handler);
    const running = inbox.handle(a2aMessage(), undefined, context);
    await vi.advanceTimersByTimeAsync(1000);
    await inbox.handle(cancelOf(), undefined, context);
    await vi.advanceTimersByTimeAsync(60_000);
    release.open();
    await running;
    expect(frames).toEqual([]);
  });

  it('keeps the numbers of the updates when a redelivered message runs faster', async () => {
    const { inbox, frames } = setup();
    const release = gate();
    let runs = 0;
    inbox.serve(async () => {
      runs += 1;
      if (runs === 1) await release.promise;
      return 'done';
    });
    const message = a2aMessage();
    const first = inbox.handle(message, undefined, context);
    await vi.advanceTimersByTimeAsync(2000);
    release.open();
    await first;
    await inbox.handle(message, undefined, context);
    expect(updates(frames)).toEqual([
      working(message),
      completed(message, 1),
      completed(message, 1),
    ]);
  });
});
