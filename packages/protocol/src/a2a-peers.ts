import { z } from 'zod';
import { A2aArtifactSchema, A2aMessageSchema } from './a2a.ts';
import { OutgoingMessageSchema, SendResultSchema } from './messages.ts';
import { defineRpc } from './rpc.ts';

// Remote A2A agents (peers) the mesh calls: registered by URL, their cards fetched, verified and
// kept fresh, their health tracked. A local agent sends to one with the recipient `a2a:<peer>`
// (or `a2a:skill:<skill>`: any healthy peer with that skill); the a2a-peer forwards over A2A and
// delivers the remote task's updates back to the agent as messages.

/** A peer's registered name: lowercase letters, digits, `.`, `_`, `-`. */
export const PeerNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits and . _ - (not first)');

/** The prefix of a recipient that is a remote A2A agent. */
export const A2A_RECIPIENT_PREFIX = 'a2a:';
/** The prefix (after `a2a:`) of a recipient that names a skill instead of a peer. */
export const A2A_SKILL_PREFIX = 'skill:';

/** What `a2a:<...>` names: one peer, or any healthy peer with a skill. */
export type RemoteRecipient = { kind: 'peer'; peer: string } | { kind: 'skill'; skill: string };

/** The remote recipient an agent id stands for, or undefined for a local agent id. */
export function remoteRecipientOf(agentId: string): RemoteRecipient | undefined {
  if (!agentId.startsWith(A2A_RECIPIENT_PREFIX)) return undefined;
  const rest = agentId.slice(A2A_RECIPIENT_PREFIX.length);
  if (rest.startsWith(A2A_SKILL_PREFIX)) {
    const skill = rest.slice(A2A_SKILL_PREFIX.length);
    return skill === '' ? undefined : { kind: 'skill', skill };
  }
  return PeerNameSchema.safeParse(rest).success ? { kind: 'peer', peer: rest } : undefined;
}

/** How a peer is doing, from its health checks. */
export const PeerStatuses = ['unknown', 'up', 'degraded', 'down'] as const;
export type PeerStatus = (typeof PeerStatuses)[number];

/** Whether a peer's card is signed, and whether the signature verified. */
export const CardSignatureStatuses = ['verified', 'unsigned'] as const;

/** A skill of a peer's card, as the directory shows it. */
export const PeerSkillSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
});
export type PeerSkill = z.infer<typeof PeerSkillSchema>;

/** A registered remote A2A agent. */
export const PeerRecordSchema = z.strictObject({
  name: PeerNameSchema,
  /** Where its Agent Card is. */
  cardUrl: z.url(),
  /** From its card. */
  agentName: z.string(),
  description: z.string(),
  version: z.string(),
  /** The interface we call (the card's JSON-RPC or HTTP+JSON v1.0 one). */
  endpoint: z.string(),
  streaming: z.boolean(),
  skills: z.array(PeerSkillSchema),
  signature: z.enum(CardSignatureStatuses),
  status: z.enum(PeerStatuses),
  /** Round trip of the last successful check, in ms. */
  latencyMs: z.number().nullable(),
  lastSeenAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  /** When its card was last fetched and validated. */
  cardFetchedAt: z.iso.datetime(),
  addedAt: z.iso.datetime(),
  addedBy: z.string(),
  /** Its skills are published in the tool registry as tools `a2a.<peer>.<skill>`. */
  publishTools: z.boolean(),
});
export type PeerRecord = z.infer<typeof PeerRecordSchema>;

/**
 * `peers.add`: registers (or re-registers) a peer: its card is fetched (SSRF-checked), validated
 * and, when signed, verified against the JWKS its signature names; an invalid signature or card
 * is refused (`E_VALIDATION`), an unreachable URL is `E_UNAVAILABLE`. `token` is the bearer
 * credential sent to the peer (kept encrypted with the payload codec, never shown).
 * Operator scope `peers:write`.
 */
export const PeersAddRpc = defineRpc(
  'peers.add',
  z.strictObject({
    name: PeerNameSchema,
    /** The card URL, or the base URL (`/.well-known/agent-card.json` is added). */
    url: z.url(),
    token: z.string().min(1).max(4096).optional(),
    publishTools: z.boolean().default(false),
  }),
  PeerRecordSchema,
);

/** `peers.list`: every registered peer. Operator scope `peers:read`. */
export const PeersListRpc = defineRpc(
  'peers.list',
  z.strictObject({ status: z.enum(PeerStatuses).optional() }),
  z.strictObject({ items: z.array(PeerRecordSchema) }),
);

/** `peers.get`: one peer. Operator scope `peers:read`. */
export const PeersGetRpc = defineRpc(
  'peers.get',
  z.strictObject({ name: PeerNameSchema }),
  PeerRecordSchema,
);

/** `peers.remove`: forgets a peer (its remote tasks stay readable). Scope `peers:write`. */
export const PeersRemoveRpc = defineRpc(
  'peers.remove',
  z.strictObject({ name: PeerNameSchema }),
  z.strictObject({ removed: z.boolean() }),
);

/** One entry of the agent directory: a published local agent or a remote peer. */
export const DirectoryEntrySchema = z.strictObject({
  kind: z.enum(['local', 'remote']),
  /** The agent id, or `a2a:<peer>` for a remote one: what to send to. */
  address: z.string(),
  name: z.string(),
  description: z.string(),
  skills: z.array(PeerSkillSchema),
  /** Local: connected / disconnected; remote: the peer's health. */
  status: z.string(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntrySchema>;

/**
 * `directory.search`: the agents known here, local (published over A2A) and remote, filtered by
 * skill id, tag, status and free text (name, description, skills). Operator scope `peers:read`.
 */
export const DirectorySearchRpc = defineRpc(
  'directory.search',
  z.strictObject({
    skill: z.string().min(1).max(128).optional(),
    tag: z.string().min(1).max(128).optional(),
    status: z.string().min(1).max(32).optional(),
    q: z.string().min(1).max(256).optional(),
    kind: z.enum(['local', 'remote']).optional(),
  }),
  z.strictObject({ items: z.array(DirectoryEntrySchema) }),
);

/** `<ns>.v1.evt.a2a.peer`: a peer was added, removed, or its status changed. */
export const PeerChangedEventSchema = z.strictObject({
  name: PeerNameSchema,
  what: z.enum(['added', 'removed', 'status']),
  status: z.enum(PeerStatuses),
});
export type PeerChangedEvent = z.infer<typeof PeerChangedEventSchema>;

/** A remote task as the a2a-peer tracks it for the local agent that started it. */
export const RemoteTaskStates = [
  'pending',
  'submitted',
  'working',
  'input-required',
  'auth-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const;
export type RemoteTaskState = (typeof RemoteTaskStates)[number];

/**
 * `remote.send` (`<ns>.v1.a2a.remote.send`): a message to `a2a:<peer>` or `a2a:skill:<skill>`,
 * accepted once it is stored (idempotent by message id, as a router send), then sent over A2A.
 * The header `a2a-task` continues a remote task (one that asked for input). The caller needs an
 * `a2a` grant for the peer. Errors: `E_NOT_FOUND` (no such peer, no peer with the skill),
 * `E_FORBIDDEN`, `E_VALIDATION`.
 */
export const RemoteSendRpc = defineRpc(
  'remote.send',
  z.strictObject({ message: OutgoingMessageSchema }),
  SendResultSchema,
);

/**
 * What the local agent receives for a remote task: its state, the remote agent's message and
 * artifacts (v1.0 JSON). The message that settles the task (completed, failed, canceled,
 * rejected, input-required, auth-required) carries the original message id as its
 * `correlationId`, so `client.request('a2a:<peer>', ...)` resolves with it.
 */
export const RemoteUpdateSchema = z.strictObject({
  peer: PeerNameSchema,
  /** The remote task id (send it back in the `a2a-task` header to continue the task). */
  taskId: z.string(),
  contextId: z.string(),
  state: z.enum(RemoteTaskStates),
  message: A2aMessageSchema.nullable(),
  artifacts: z.array(A2aArtifactSchema),
});
export type RemoteUpdate = z.infer<typeof RemoteUpdateSchema>;

/**
 * `remote.call` (`<ns>.v1.a2a.remote.call`): a tool call the registry sends to a peer's skill
 * (published with `publishTools`), as the calling principal (who needs an `a2a` grant for the
 * peer). The arguments `{ text?, data? }` become the message's parts; the answer comes when the
 * remote task settles or the timeout passes. A failed or rejected task is `E_UNAVAILABLE` with
 * the remote agent's words.
 */
export const RemoteCallRpc = defineRpc(
  'remote.call',
  z.strictObject({
    peer: PeerNameSchema,
    skill: z.string().min(1).max(256),
    arguments: z.record(z.string(), z.json()),
    timeoutMs: z.int().min(1).max(3_600_000),
  }),
  z.strictObject({ result: z.json() }),
);
