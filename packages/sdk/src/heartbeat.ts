/**
 * The client's side of heartbeats: a `ping` every interval, and the verdict that the gateway is
 * gone once nothing at all has arrived from it for the timeout (a half-open TCP connection
 * never reports its own death).
 */
export class Heartbeat {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastHeardAt = Date.now();
  private running = false;

  constructor(
    private readonly handlers: {
      ping(): void;
      /** Nothing arrived for longer than the timeout; the heartbeat has stopped. */
      silent(silentMs: number): void;
    },
  ) {}

  /** Something arrived from the gateway. */
  heard(): void {
    this.lastHeardAt = Date.now();
  }

  /** Starts pinging every `intervalMs`; gives up after `timeoutMs` of silence. */
  start(intervalMs: number, timeoutMs: number): void {
    this.stop();
    this.running = true;
    this.lastHeardAt = Date.now();
    // Ticking at least twice per timeout bounds detection at 1.5 times the timeout.
    const tickMs = Math.max(1, Math.min(intervalMs, Math.floor(timeoutMs / 2)));
    const tick = () => {
      const silentMs = Date.now() - this.lastHeardAt;
      if (silentMs > timeoutMs) {
        this.stop();
        this.handlers.silent(silentMs);
        return;
      }
      this.handlers.ping();
      // ping() may have ended the session, which stops the heartbeat.
      if (this.running) this.timer = setTimeout(tick, tickMs);
    };
    this.timer = setTimeout(tick, tickMs);
  }

  /** Stops the timer (idempotent). */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
