/**
 * WebSocket close codes the gateway uses (RFC 6455 §7.4; 4000–4999 are the application's).
 * The close reason carries the error code (`E_PAYLOAD_TOO_LARGE`, ...) or a short sentence.
 */
export const CloseCodes = {
  /** The gateway is shutting down: reconnect (to another replica). */
  goingAway: 1001,
  /** A frame above `maxFrameBytes`: the library cannot skip it, so the socket closes. */
  tooLarge: 1009,
  /** A newer connection registered the same agent id. Do not reconnect with this one. */
  replaced: 4001,
  /** No frame within the heartbeat timeout. */
  heartbeatTimeout: 4002,
  /** Too many malformed frames in a row. */
  tooManyBadFrames: 4003,
  /** An operator disconnected the agent. */
  disconnected: 4004,
  /** The credential was revoked or expired while connected. */
  credentialRevoked: 4005,
} as const;
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];
