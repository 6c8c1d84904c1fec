// Presence is a contract between the gateway (which writes it) and the router (which reads it).
export { type Presence, presenceKey } from '@switchboard/protocol';
