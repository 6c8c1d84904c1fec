import { useEffect, useState } from 'react';

// The operator live channel `GET /v1/events` (Server-Sent Events, authenticated by the session
// cookie): one EventSource for the whole console, shared by every page through `onLive`.

type Listener = (data: unknown) => void;

/** Where the live channel stands, for the header's indicator. */
export type LiveStatus = 'connecting' | 'open' | 'reconnecting';

/** How long after a refused connection (the gateway restarting, a proxy) the channel retries. */
const REOPEN_AFTER_MS = 3000;

const listeners = new Map<string, Set<Listener>>();
const statusListeners = new Set<(status: LiveStatus) => void>();
let source: EventSource | undefined;
let reopen: ReturnType<typeof setTimeout> | undefined;
let status: LiveStatus = 'connecting';

function setStatus(next: LiveStatus): void {
  status = next;
  for (const listener of statusListeners) listener(next);
}

function attach(name: string): void {
  source?.addEventListener(name, (event) => {
    let data: unknown;
    try {
      data = JSON.parse((event as MessageEvent<string>).data);
    } catch {
      return;
    }
    for (const listener of listeners.get(name) ?? []) listener(data);
  });
}

/** Opens the channel (after sign-in); EventSource reconnects by itself when it drops. */
export function openLive(): void {
  if (source !== undefined) return;
  source = new EventSource('/v1/events', { withCredentials: true });
  setStatus('connecting');
  source.onopen = () => setStatus('open');
  source.onerror = () => {
    setStatus('reconnecting');
    // EventSource retries a dropped stream by itself, but gives up on an HTTP error answer.
    if (source?.readyState === EventSource.CLOSED) {
      source = undefined;
      reopen = setTimeout(openLive, REOPEN_AFTER_MS);
    }
  };
  for (const name of listeners.keys()) attach(name);
}

/** Closes the channel (at sign-out, or when the session ended). */
export function closeLive(): void {
  clearTimeout(reopen);
  source?.close();
  source = undefined;
}

/** Calls `listener` with the data of every live event named `name` (`agent.connected`, `stats`). */
export function onLive(name: string, listener: Listener): () => void {
  let set = listeners.get(name);
  if (set === undefined) {
    set = new Set();
    listeners.set(name, set);
    attach(name);
  }
  set.add(listener);
  return () => set.delete(listener);
}

/** Re-renders with the live channel's status. */
export function useLiveStatus(): LiveStatus {
  const [current, setCurrent] = useState(status);
  useEffect(() => {
    statusListeners.add(setCurrent);
    return () => {
      statusListeners.delete(setCurrent);
    };
  }, []);
  return current;
}

/** Calls `listener` for the live events named in `names` while the component is mounted. */
export function useLive(names: readonly string[], listener: Listener): void {
  useEffect(() => {
    const stops = names.map((name) => onLive(name, listener));
    return () => {
      for (const stop of stops) stop();
    };
  }, [names, listener]);
}
