/** Most delivery ids one connection remembers; far above the router's default maxInFlight (32). */
export const MAX_REMEMBERED_DELIVERIES = 1024;

/**
 * The deliveries the gateway pushed on one connection whose ack or nack has not come yet. Their
 * answers pass the rate limit (see AgentConnection): this is what tells an answer from any other
 * ack frame. At most `capacity` are remembered, the oldest forgotten first, so an agent that
 * never answers cannot grow it; the answer to a forgotten delivery is throttled like any frame.
 */
export class UnansweredDeliveries {
  // A Set keeps insertion order: its first entry is the oldest push.
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = MAX_REMEMBERED_DELIVERIES) {}

  /** Remembers a delivery written to the agent (a retry of one moves it to the newest end). */
  pushed(deliveryId: string): void {
    this.ids.delete(deliveryId);
    this.ids.add(deliveryId);
    if (this.ids.size <= this.capacity) return;
    for (const oldest of this.ids) {
      this.ids.delete(oldest);
      return;
    }
  }

  /** Takes the answer to `deliveryId`: true the first time for a remembered push, else false. */
  answered(deliveryId: string): boolean {
    return this.ids.delete(deliveryId);
  }
}
