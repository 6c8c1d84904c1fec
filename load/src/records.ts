// What the generator processes record of the run, for the invariant checker and the report.

/** A message the router accepted (the sender got `accepted`), and what the sender asked for. */
export interface SentMessage {
  id: string;
  /** Direct, topic, broadcast or request. */
  kind: 'direct' | 'topic' | 'broadcast' | 'request';
  senderIndex: number;
  /** The recipient of a direct message or a request. */
  toIndex?: number;
  /** The topic of a topic message and whether it carried `kind = keep`. */
  topic?: number;
  keep?: boolean;
}

/** How many times a handler saw a message: [agent index, message id, count]. */
export type Sighting = [number, string, number];

/** An acknowledged state write: the version it created and the write's own id in the document. */
export interface StateAck {
  scope: string;
  key: string;
  version: number;
  writeId: string;
}

/** Everything the clients recorded over a run (merged over the generator processes). */
export interface ClientRecords {
  sent: SentMessage[];
  sightings: Sighting[];
  /** Tasks whose submit was acknowledged. */
  submittedTasks: string[];
  /** How many times an executor's handler ran each task id: [task id, runs]. */
  taskRuns: Array<[string, number]>;
  stateAcks: StateAck[];
  /** Ids of the messages sent to the remote A2A agent (`a2a:<peer>`) whose round trip completed. */
  remoteSends: string[];
  /**
   * Message ids of A2A SendMessage calls to the peer that failed (an error, or a task not
   * completed): the peer may keep their tasks unfinished, waiting for a re-send of the message.
   */
  failedA2aSends: string[];
}

/** An empty set of records. */
export function emptyRecords(): ClientRecords {
  return {
    sent: [],
    sightings: [],
    submittedTasks: [],
    taskRuns: [],
    stateAcks: [],
    remoteSends: [],
    failedA2aSends: [],
  };
}

/** Merges the records of several generator processes. */
export function mergeRecords(parts: ClientRecords[]): ClientRecords {
  // concat, not push(...): a long run records more items than a call takes arguments.
  return {
    sent: parts.flatMap((part) => part.sent),
    sightings: parts.flatMap((part) => part.sightings),
    submittedTasks: parts.flatMap((part) => part.submittedTasks),
    taskRuns: parts.flatMap((part) => part.taskRuns),
    stateAcks: parts.flatMap((part) => part.stateAcks),
    remoteSends: parts.flatMap((part) => part.remoteSends),
    failedA2aSends: parts.flatMap((part) => part.failedA2aSends),
  };
}
