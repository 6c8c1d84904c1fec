/** The version of the agent wire protocol and of every NATS subject (`<ns>.v1.*`). */
export const PROTOCOL_VERSION = 1;
