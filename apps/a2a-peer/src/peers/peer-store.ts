import { AgentCard } from '@a2a-js/sdk';
import { type Database, dateOf, encodePayload, type RecordCodec } from '@switchboard/db';
import {
  type JsonValue,
  type PeerRecord,
  type PeerStatus,
  type RemoteTaskState,
  SbError,
} from '@switchboard/protocol';
import { payloadColumnsOf, storedPayloadOf } from '../db/payload-columns.ts';
import { peerRecord, remoteTaskRecord } from '../db/task-payloads.ts';
import { type PeerView, peerViewOf } from './peer-view.ts';

/** A registered peer with its card and credential (never leaves the service). */
export interface StoredPeer {
  name: string;
  cardUrl: string;
  card: AgentCard;
  token: string | undefined;
  signature: 'verified' | 'unsigned';
  status: PeerStatus;
  latencyMs: number | null;
  failures: number;
  lastSeenAt: Date | null;
  lastError: string | null;
  cardFetchedAt: Date;
  publishTools: boolean;
  addedBy: string;
  addedAt: Date;
}

/** A remote task row: what the agent sent and how far it got. */
export interface RemoteTaskRow {
  id: string;
  recipient: string;
  peer: string | null;
  agentId: string;
  principal: string;
  remoteTaskId: string | null;
  contextId: string | null;
  state: RemoteTaskState;
  request: JsonValue;
  snapshot: JsonValue | null;
  delivered: number;
  attempts: number;
}

type Row = Record<string, unknown>;

/** The peers and remote tasks tables (schema `a2a`), payloads through the record codec. */
export function createPeerStore(database: Database, codec: RecordCodec) {
  const { sql } = database;
  const encode = (value: JsonValue, record: string) => codec.encode(encodePayload(value), record);

  const peerOf = (row: Row): StoredPeer => {
    const name = row.name as string;
    return {
      name,
      cardUrl: row.card_url as string,
      card: AgentCard.fromJSON(
        codec.decode(storedPayloadOf(row, 'card'), peerRecord(name, 'card')),
      ),
      token:
        row.token === null
          ? undefined
          : (codec.decode(storedPayloadOf(row, 'token'), peerRecord(name, 'token')) as string),
      signature: row.signature as StoredPeer['signature'],
      status: row.status as PeerStatus,
      latencyMs: row.latency_ms as number | null,
      failures: row.failures as number,
      lastSeenAt: row.last_seen_at === null ? null : dateOf(row.last_seen_at as string),
      lastError: row.last_error as string | null,
      cardFetchedAt: dateOf(row.card_fetched_at as string),
      publishTools: row.publish_tools as boolean,
      addedBy: row.added_by as string,
      addedAt: dateOf(row.added_at as string),
    };
  };

  const remoteOf = (row: Row): RemoteTaskRow => {
    const id = row.id as string;
    return {
      id,
      recipient: row.recipient as string,
      peer: row.peer as string | null,
      agentId: row.agent_id as string,
      principal: row.principal as string,
      remoteTaskId: row.remote_task_id as string | null,
      contextId: row.context_id as string | null,
      state: row.state as RemoteTaskState,
      request: codec.decode(storedPayloadOf(row, 'request'), remoteTaskRecord(id, 'request')),
      snapshot:
        row.snapshot === null
          ? null
          : codec.decode(storedPayloadOf(row, 'snapshot'), remoteTaskRecord(id, 'snapshot')),
      delivered: row.delivered as number,
      attempts: row.attempts as number,
    };
  };

  return {
    /** Registers a peer, or replaces the card, credential and options of one of that name. */
    async put(input: {
      name: string;
      cardUrl: string;
      card: AgentCard;
      token: string | undefined;
      signature: StoredPeer['signature'];
      publishTools: boolean;
      addedBy: string;
      latencyMs: number;
    }): Promise<StoredPeer> {
      const card = payloadColumnsOf(
        'card',
        encode(AgentCard.toJSON(input.card) as JsonValue, peerRecord(input.name, 'card')),
      );
      const token =
        input.token === undefined
          ? { token: null, token_codec: 'identity', token_key_id: null, token_nonce: null }
          : payloadColumnsOf('token', encode(input.token, peerRecord(input.name, 'token')));
      const row: Record<string, unknown> = {
        name: input.name,
        card_url: input.cardUrl,
        ...card,
        ...token,
        signature: input.signature,
        status: 'up',
        latency_ms: Math.round(input.latencyMs),
        failures: 0,
        last_seen_at: new Date().toISOString(),
        last_error: null,
        card_fetched_at: new Date().toISOString(),
        publish_tools: input.publishTools,
        added_by: input.addedBy,
      };
      const { name: _name, ...updated } = row;
      const [saved] = await sql<Row[]>`
        INSERT INTO a2a.peers ${sql(row)}
        ON CONFLICT (name) DO UPDATE SET ${sql(updated)}
        RETURNING *`;
      return peerOf(saved as Row);
    },

    async get(name: string): Promise<StoredPeer | undefined> {
      const [row] = await sql<Row[]>`SELECT * FROM a2a.peers WHERE name = ${name}`;
      return row === undefined ? undefined : peerOf(row);
    },

    async list(): Promise<StoredPeer[]> {
      const rows = await sql<Row[]>`SELECT * FROM a2a.peers ORDER BY name`;
      return rows.map(peerOf);
    },

    async remove(name: string): Promise<boolean> {
      const deleted = await sql`DELETE FROM a2a.peers WHERE name = ${name} RETURNING name`;
      return deleted.length > 0;
    },

    /** Claims the peers due for a health check until `intervalMs` from now (one replica each). */
    async claimChecks(intervalMs: number): Promise<StoredPeer[]> {
      const rows = await sql<Row[]>`
        UPDATE a2a.peers p SET next_check_at = now() + ${intervalMs} * interval '1 millisecond'
        FROM (
          SELECT name FROM a2a.peers WHERE next_check_at <= now()
          ORDER BY name FOR UPDATE SKIP LOCKED
        ) due
        WHERE p.name = due.name
        RETURNING p.*`;
      return rows.map(peerOf);
    },

    /** Records a health check; the card is replaced when the check fetched a valid one. */
    async recordCheck(
      name: string,
      check: {
        status: PeerStatus;
        latencyMs: number | null;
        failures: number;
        error: string | null;
        card?: { card: AgentCard; signature: StoredPeer['signature'] } | undefined;
      },
    ): Promise<void> {
      const fields: Row = {
        status: check.status,
        failures: check.failures,
        last_error: check.error,
        ...(check.latencyMs === null
          ? {}
          : { latency_ms: Math.round(check.latencyMs), last_seen_at: new Date().toISOString() }),
        ...(check.card === undefined
          ? {}
          : {
              ...payloadColumnsOf(
                'card',
                encode(AgentCard.toJSON(check.card.card) as JsonValue, peerRecord(name, 'card')),
              ),
              signature: check.card.signature,
              card_fetched_at: new Date().toISOString(),
            }),
      };
      await sql`UPDATE a2a.peers SET ${sql(fields)} WHERE name = ${name}`;
    },

    /**
     * Stores what an agent sent to a remote recipient; false when that message id was stored
     * before (a re-send).
     */
    async addRemoteTask(input: {
      id: string;
      recipient: string;
      agentId: string;
      principal: string;
      remoteTaskId: string | null;
      contextId: string | null;
      request: JsonValue;
    }): Promise<boolean> {
      const row = {
        id: input.id,
        recipient: input.recipient,
        agent_id: input.agentId,
        principal: input.principal,
        remote_task_id: input.remoteTaskId,
        context_id: input.contextId,
        ...payloadColumnsOf(
          'request',
          encode(input.request, remoteTaskRecord(input.id, 'request')),
        ),
      };
      const inserted = await sql`
        INSERT INTO a2a.remote_tasks ${sql(row)} ON CONFLICT (id) DO NOTHING RETURNING id`;
      return inserted.length > 0;
    },

    /** Claims remote tasks to drive for `leaseMs` (another replica takes them after that). */
    async claimRemoteTasks(limit: number, leaseMs: number): Promise<RemoteTaskRow[]> {
      const rows = await sql<Row[]>`
        UPDATE a2a.remote_tasks r SET lease_until = now() + ${leaseMs} * interval '1 millisecond'
        FROM (
          SELECT id FROM a2a.remote_tasks
          WHERE lease_until <= now()
            AND state IN ('pending', 'submitted', 'working')
          ORDER BY lease_until LIMIT ${limit} FOR UPDATE SKIP LOCKED
        ) due
        WHERE r.id = due.id
        RETURNING r.*`;
      return rows.map(remoteOf);
    },

    async remoteTask(id: string): Promise<RemoteTaskRow | undefined> {
      const [row] = await sql<Row[]>`SELECT * FROM a2a.remote_tasks WHERE id = ${id}`;
      return row === undefined ? undefined : remoteOf(row);
    },

    /** Keeps a claimed task's lease for `leaseMs` more. */
    async renewLease(id: string, leaseMs: number): Promise<void> {
      await sql`
        UPDATE a2a.remote_tasks SET lease_until = now() + ${leaseMs} * interval '1 millisecond'
        WHERE id = ${id}`;
    },

    /** Records what the remote task is now (and the peer that took it). */
    async recordRemote(
      id: string,
      update: {
        peer: string;
        remoteTaskId: string;
        contextId: string;
        state: RemoteTaskState;
        snapshot: JsonValue;
        /** Updates delivered to the agent so far. */
        delivered: number;
      },
    ): Promise<void> {
      const fields = {
        delivered: update.delivered,
        peer: update.peer,
        remote_task_id: update.remoteTaskId,
        context_id: update.contextId,
        state: update.state,
        ...payloadColumnsOf('snapshot', encode(update.snapshot, remoteTaskRecord(id, 'snapshot'))),
      };
      await sql`UPDATE a2a.remote_tasks SET ${sql(fields)}, updated_at = now() WHERE id = ${id}`;
    },

    /** A failed attempt: retried after `delayMs` (the lease), or ended as failed. */
    async retryRemote(id: string, delayMs: number, error: string): Promise<void> {
      await sql`
        UPDATE a2a.remote_tasks SET attempts = attempts + 1, last_error = ${error},
          lease_until = now() + ${delayMs} * interval '1 millisecond', updated_at = now()
        WHERE id = ${id}`;
    },

    /** Releases a task for another look after `delayMs` without counting an attempt. */
    async release(id: string, delayMs: number): Promise<void> {
      await sql`
        UPDATE a2a.remote_tasks SET lease_until = now() + ${delayMs} * interval '1 millisecond'
        WHERE id = ${id}`;
    },

    /** Ends a remote task locally (given up), once the agent was told (`delivered`). */
    async endRemote(
      id: string,
      state: RemoteTaskState,
      error: string | null,
      delivered: number,
    ): Promise<void> {
      await sql`
        UPDATE a2a.remote_tasks SET state = ${state}, last_error = ${error},
          delivered = ${delivered}, updated_at = now()
        WHERE id = ${id}`;
    },
  };
}

/** The peers' store (see {@link createPeerStore}). */
export type PeerStore = ReturnType<typeof createPeerStore>;

/** A peer as operators see it (never its credential). */
export function peerRecordOf(peer: StoredPeer): PeerRecord {
  const view: PeerView = peerViewOf(peer.card);
  return {
    name: peer.name,
    cardUrl: peer.cardUrl,
    agentName: peer.card.name,
    description: peer.card.description,
    version: peer.card.version,
    endpoint: view.endpoint,
    streaming: view.streaming,
    skills: view.skills,
    signature: peer.signature,
    status: peer.status,
    latencyMs: peer.latencyMs,
    lastSeenAt: peer.lastSeenAt?.toISOString() ?? null,
    lastError: peer.lastError,
    cardFetchedAt: peer.cardFetchedAt.toISOString(),
    addedAt: peer.addedAt.toISOString(),
    addedBy: peer.addedBy,
    publishTools: peer.publishTools,
  };
}

/** `E_NOT_FOUND` for a peer that is not registered. */
export const noSuchPeer = (name: string) =>
  new SbError('E_NOT_FOUND', `no A2A peer ${name} is registered (see GET /v1/a2a/peers)`);
