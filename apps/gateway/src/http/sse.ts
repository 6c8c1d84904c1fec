/** One Server-Sent Event. */
export interface SseEvent {
  /** Becomes the client's `Last-Event-ID`. */
  id?: string | number;
  event: string;
  /** Serialized as one line of JSON. */
  data: unknown;
}

/** The wire form of an event (JSON has no raw newlines, so `data` is one line). */
export function formatSseEvent(event: SseEvent): string {
  const id = event.id === undefined ? '' : `id: ${event.id}\n`;
  return `${id}event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** A comment line: clients ignore it, proxies see traffic. */
export function formatSseComment(text: string): string {
  return `: ${text}\n\n`;
}

/**
 * The SSE event name of a bus event: its subject after `<ns>.v1.evt.`
 * (`sb.v1.evt.agent.connected` is `agent.connected`).
 */
export function eventNameOf(subject: string, allEvents: string): string {
  const prefix = allEvents.slice(0, -1);
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
}
