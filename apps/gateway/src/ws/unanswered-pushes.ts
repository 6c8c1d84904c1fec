/** Most pushes one connection remembers; far above the router's default maxInFlight (32). */
const MAX_REMEMBERED_PUSHES = 1024;

/** What an answer names: a delivery (ack, nack) or a task attempt (task.complete). */
export type PushKey = { delivery: string } | { taskId: string; attempt: number };

const keyOf = (push: PushKey) =>
  'delivery' in push ? `d:${push.delivery}` : `t:${push.taskId}:${push.attempt}`;

/**
 * The deliveries and task attempts the gateway pushed on one connection that the agent has not
 * answered yet. Their answers pass the rate limit (see AgentConnection): this is what tells an
 * answer from any other such frame. At most `capacity` are remembered, the oldest forgotten
 * first, so an agent that never answers cannot grow it; the answer to a forgotten push is
 * throttled like any frame.
 */
export class UnansweredPushes {
  // A Set keeps insertion order: its first entry is the oldest push.
  private readonly keys = new Set<string>();

  constructor(private readonly capacity = MAX_REMEMBERED_PUSHES) {}

  /** Remembers a push written to the agent (a retry of one moves it to the newest end). */
  pushed(push: PushKey): void {
    const key = keyOf(push);
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size <= this.capacity) return;
    for (const oldest of this.keys) {
      this.keys.delete(oldest);
      return;
    }
  }

  /** Takes the answer to `push`: true the first time for a remembered push, else false. */
  answered(push: PushKey): boolean {
    return this.keys.delete(keyOf(push));
  }
}
