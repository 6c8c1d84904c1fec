/** The part of a Node stream socket that batching writes needs. */
interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

/**
 * Makes the frames written to `socket` during one turn of the event loop leave in one system
 * call: each `send` is otherwise its own write, and a wake-up of the reader (a busy agent
 * acks and sends several frames per turn). Works with the `ws` package, whose TCP socket can
 * be corked; browsers and other WebSocket implementations batch by themselves or not at all,
 * and are left as they are. Returns what to call before each write.
 */
export function batchWritesPerTurn(socket: unknown): () => void {
  // `ws` keeps its TCP socket in `_socket`: stable across its major versions, not typed.
  const tcp = (socket as { _socket?: Partial<CorkableSocket> } | undefined)?._socket;
  if (
    typeof tcp?.cork !== 'function' ||
    typeof tcp.uncork !== 'function' ||
    typeof setImmediate !== 'function'
  ) {
    return () => {};
  }
  const corkable = tcp as CorkableSocket;
  let held = false;
  const release = () => {
    held = false;
    corkable.uncork();
  };
  return () => {
    if (held) return;
    held = true;
    corkable.cork();
    setImmediate(release);
  };
}
