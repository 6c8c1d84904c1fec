import { checkA2a, type StoredA2a } from './a2a-invariants.ts';
import { topicRecipientsOf } from './agent-model.ts';
import type { ClientRecords, SentMessage } from './records.ts';
import { uuidV7TimeMs } from './uuid-v7.ts';

/** A router delivery as stored: one recipient's copy of a message. */
export interface StoredDelivery {
  messageId: string;
  agentIndex: number;
  status: string;
}

/** A dead letter as stored, with its cause. */
export interface StoredDeadLetter {
  messageId: string;
  agentIndex: number;
  reason: string;
  lastError: unknown;
}

/** A task as stored, and how many of its transitions went to `succeeded`. */
export interface StoredTask {
  id: string;
  status: string;
  successes: number;
}

/** One kept version of a state key; `writeId` is the id the generator put in the document. */
export interface StoredStateVersion {
  scope: string;
  key: string;
  version: number;
  writeId: string | undefined;
}

/** What the checker reads from the services' tables after the run has drained. */
export interface StoredData {
  messageIds: Set<string>;
  deliveries: StoredDelivery[];
  deadLetters: StoredDeadLetter[];
  tasks: StoredTask[];
  stateVersions: StoredStateVersion[];
  /** The A2A peer's remote and inbound task records. */
  a2a: StoredA2a;
}

/** A broken promise, with the ids involved (at most a handful are named). */
export interface Violation {
  invariant: string;
  count: number;
  ids: string[];
}

/**
 * What retention may have removed by the time the checker reads (soak runs retention short):
 * messages, tasks and remote A2A tasks whose ids (UUIDv7) were made before `retiredBeforeMs`
 * (epoch) may be gone (retention counts from when they ended, which is later), and state history
 * may have dropped a key's oldest versions.
 */
export interface RetentionAllowance {
  retiredBeforeMs?: number;
  stateHistoryTrimmed?: boolean;
}

const FINAL_TASK_STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);
const NAMED_IDS = 10;

function expectedRecipients(message: SentMessage, agents: number): number[] {
  switch (message.kind) {
    case 'direct':
    case 'request':
      return [message.toIndex as number];
    case 'topic':
      return topicRecipientsOf(message.topic as number, message.keep === true, agents);
    case 'broadcast':
      return Array.from({ length: agents }, (_, index) => index).filter(
        (index) => index !== message.senderIndex,
      );
    default: {
      const unknown: never = message.kind;
      throw new Error(`unknown message kind ${String(unknown)}`);
    }
  }
}

class Findings {
  private readonly found = new Map<string, string[]>();

  add(invariant: string, id: string): void {
    const ids = this.found.get(invariant) ?? [];
    ids.push(id);
    this.found.set(invariant, ids);
  }

  list(): Violation[] {
    return [...this.found].map(([invariant, ids]) => ({
      invariant,
      count: ids.length,
      ids: ids.slice(0, NAMED_IDS),
    }));
  }
}

function checkMessages(
  records: ClientRecords,
  stored: StoredData,
  agents: number,
  out: Findings,
  retiredBeforeMs: number,
) {
  const deliveriesOf = new Map<string, StoredDelivery[]>();
  for (const delivery of stored.deliveries) {
    const list = deliveriesOf.get(delivery.messageId) ?? [];
    list.push(delivery);
    deliveriesOf.set(delivery.messageId, list);
  }
  const seen = new Map<string, number>();
  for (const [agentIndex, messageId, count] of records.sightings) {
    seen.set(`${messageId}@${agentIndex}`, count);
  }
  for (const message of records.sent) {
    if (!stored.messageIds.has(message.id)) {
      // Retention deleted it: what the recipients' handlers saw still tells whether it arrived.
      if (uuidV7TimeMs(message.id) < retiredBeforeMs) {
        for (const index of expectedRecipients(message, agents)) {
          const count = seen.get(`${message.id}@${index}`) ?? 0;
          if (count === 0)
            out.add('a recipient never handled a retired message', `${message.id}@${index}`);
          if (count > 1) out.add('handled more than once', `${message.id}@${index}`);
        }
      } else out.add('an accepted message is not stored', message.id);
      continue;
    }
    const expected = new Set(expectedRecipients(message, agents));
    const routed = deliveriesOf.get(message.id) ?? [];
    const routedTo = new Set(routed.map((delivery) => delivery.agentIndex));
    for (const index of expected) {
      if (!routedTo.has(index)) out.add('a recipient got no delivery', `${message.id}@${index}`);
    }
    for (const delivery of routed) {
      const copy = `${message.id}@${delivery.agentIndex}`;
      if (!expected.has(delivery.agentIndex)) out.add('delivered to a non-recipient', copy);
      const count = seen.get(copy) ?? 0;
      if (delivery.status === 'acked' && count === 0) out.add('acked but never handled', copy);
      if (count > 1) out.add('handled more than once', copy);
    }
  }
  // Every delivery in the router (replies included) ends acked or dead-lettered; one may expire
  // only when its sender gave up on it (a request that timed out is sent with its timeout as TTL)
  // or when its recipient handled it but the ack came after the TTL (a request answered late).
  const dead = new Set(
    stored.deadLetters.map((letter) => `${letter.messageId}@${letter.agentIndex}`),
  );
  const accepted = new Set(records.sent.map((message) => message.id));
  for (const delivery of stored.deliveries) {
    const copy = `${delivery.messageId}@${delivery.agentIndex}`;
    const settled =
      delivery.status === 'acked' ||
      dead.has(copy) ||
      (delivery.status === 'expired' &&
        (!accepted.has(delivery.messageId) || (seen.get(copy) ?? 0) > 0));
    if (!settled) out.add(`a delivery was left ${delivery.status}`, copy);
  }
  for (const letter of stored.deadLetters) {
    if (
      letter.reason.trim() === '' ||
      letter.lastError === null ||
      letter.lastError === undefined
    ) {
      out.add('a dead letter without a cause', `${letter.messageId}@${letter.agentIndex}`);
    }
  }
}

function checkTasks(
  records: ClientRecords,
  stored: StoredData,
  out: Findings,
  retiredBeforeMs: number,
) {
  const tasks = new Map(stored.tasks.map((task) => [task.id, task]));
  const runs = new Map<string, number>();
  for (const [taskId, count] of records.taskRuns) runs.set(taskId, (runs.get(taskId) ?? 0) + count);
  for (const id of records.submittedTasks) {
    const task = tasks.get(id);
    if (task === undefined) {
      // Retention deletes only final tasks: one old enough may have ended and gone.
      if (!(uuidV7TimeMs(id) < retiredBeforeMs)) out.add('a submitted task is not stored', id);
    } else if (!FINAL_TASK_STATUSES.has(task.status)) out.add(`a task was left ${task.status}`, id);
  }
  for (const task of stored.tasks) {
    if (task.successes > 1) out.add('a task succeeded more than once', task.id);
    if (task.status === 'succeeded' && task.successes === 0) {
      out.add('a task succeeded without a transition', task.id);
    }
    if (task.status === 'succeeded' && (runs.get(task.id) ?? 0) === 0) {
      out.add('a task succeeded that no executor ran', task.id);
    }
  }
}

function checkState(records: ClientRecords, stored: StoredData, out: Findings, trimmed: boolean) {
  const versionsOf = new Map<string, StoredStateVersion[]>();
  for (const version of stored.stateVersions) {
    const name = `${version.scope}/${version.key}`;
    const list = versionsOf.get(name) ?? [];
    list.push(version);
    versionsOf.set(name, list);
  }
  const oldestKept = new Map<string, number>();
  for (const [name, versions] of versionsOf) {
    const numbers = versions.map((version) => version.version).sort((a, b) => a - b);
    // Trimmed history keeps the newest versions: they still run on without a gap.
    const first = trimmed ? (numbers[0] as number) : 1;
    oldestKept.set(name, first);
    // Versions only grow, one at a time: a gap or a repeat means a write was lost or doubled.
    numbers.forEach((version, index) => {
      if (version !== index + first)
        out.add('state versions are not 1, 2, 3, ...', `${name}@${version}`);
    });
  }
  for (const ack of records.stateAcks) {
    const name = `${ack.scope}/${ack.key}`;
    if (ack.version < (oldestKept.get(name) ?? 1)) continue;
    const kept = versionsOf.get(name)?.find((version) => version.version === ack.version);
    if (kept?.writeId !== ack.writeId) {
      out.add('an acknowledged state write is lost', `${name}@${ack.version}`);
    }
  }
}

/**
 * Checks the mesh's promises over a finished run: every accepted message stored, routed to
 * exactly its recipients and handled once by each; every delivery acked or dead-lettered with
 * a cause; every submitted task final and none succeeded twice; every key's versions 1..n with
 * each acknowledged write kept; the A2A peer's remote and inbound tasks ended (see checkA2a).
 * With `retention`, what retention removed is checked by what is left (see RetentionAllowance).
 * Returns the violations (none when the run kept its promises).
 */
export function checkInvariants(
  records: ClientRecords,
  stored: StoredData,
  agents: number,
  retention: RetentionAllowance = {},
): Violation[] {
  const out = new Findings();
  const retiredBeforeMs = retention.retiredBeforeMs ?? 0;
  checkMessages(records, stored, agents, out, retiredBeforeMs);
  checkTasks(records, stored, out, retiredBeforeMs);
  checkState(records, stored, out, retention.stateHistoryTrimmed === true);
  return [
    ...out.list(),
    ...checkA2a(records.remoteSends, stored.a2a, records.failedA2aSends, retiredBeforeMs),
  ];
}
