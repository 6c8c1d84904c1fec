import type { Bus } from '@switchboard/bus';
import type { Logger } from '@switchboard/logger';
import {
  agentScope,
  isSbError,
  LifecycleGetRpc,
  type ResumeFrame,
  StateSummaryRpc,
} from '@switchboard/protocol';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { MessagingMetrics } from '../messaging/messaging-metrics.ts';
import type { AgentConnection } from '../ws/agent-connection.ts';
import { agentPrincipal } from '../ws/service-forwarder.ts';

/** What {@link createAgentResume} uses. */
export interface AgentResumeDeps {
  bus: Bus;
  metrics: Pick<MessagingMetrics, 'pushed'>;
  /** The service's registry, for the count of skipped resumes. */
  registry: Registry;
  log: Logger;
}

/**
 * The `resume` push after each successful register: the agent's lifecycle record and the keys
 * and versions of its own scope, asked of the state service as the agent (the principal the
 * service forwarder uses). It runs beside the connection, never before the register result:
 * a state service that does not answer costs the agent this frame, never its connection.
 */
export function createAgentResume(deps: AgentResumeDeps) {
  const { bus } = deps;
  const pending = new Set<Promise<void>>();
  const stopping = new AbortController();
  const skipped = new Counter({
    name: 'sb_gateway_resumes_skipped_total',
    help: 'Resume frames not sent because the state service failed, by reason (unavailable, timeout, refused)',
    labelNames: ['reason'],
    registers: [deps.registry],
  });

  // An agent's recovery after a reconnect: how long until it has its last state and status.
  const resumeSeconds = new Histogram({
    name: 'sb_gateway_resume_duration_seconds',
    help: 'From a successful register to the resume frame written (the agent has its last state and status)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [deps.registry],
  });

  const fetchAndPush = async (connection: AgentConnection, agentId: string): Promise<void> => {
    const endTimer = resumeSeconds.startTimer();
    const options = { principal: agentPrincipal(connection, agentId), signal: stopping.signal };
    const [status, state] = await Promise.all([
      bus.request(
        bus.subjects.rpc('state', LifecycleGetRpc.operation),
        LifecycleGetRpc,
        { agentId },
        options,
      ),
      bus.request(
        bus.subjects.rpc('state', StateSummaryRpc.operation),
        StateSummaryRpc,
        { scope: agentScope(agentId) },
        options,
      ),
    ]);
    const frame: Omit<ResumeFrame, 'v' | 'id'> = { type: 'resume', status, state };
    const outcome = connection.push(frame);
    deps.metrics.pushed('resume', outcome);
    if (outcome === 'written') endTimer();
    else {
      deps.log.debug({ agentId, reason: outcome }, 'resume push missed');
    }
  };

  const logFailure = (agentId: string, err: unknown) => {
    if (stopping.signal.aborted) return;
    if (isSbError(err) && (err.code === 'E_UNAVAILABLE' || err.code === 'E_TIMEOUT')) {
      skipped.inc({ reason: err.code === 'E_TIMEOUT' ? 'timeout' : 'unavailable' });
      deps.log.warn({ err, agentId }, 'no resume frame: the state service did not answer');
    } else {
      skipped.inc({ reason: 'refused' });
      deps.log.error({ err, agentId }, 'no resume frame: the state service refused');
    }
  };

  return {
    /** Sends `resume` to a connection that just registered as `agentId` (in the background). */
    resume(connection: AgentConnection, agentId: string): void {
      if (stopping.signal.aborted) return;
      const work = fetchAndPush(connection, agentId).catch((err: unknown) =>
        logFailure(agentId, err),
      );
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },

    /** Abandons the requests in flight (their connections are closing too). Idempotent. */
    async stop(): Promise<void> {
      stopping.abort();
      await Promise.all([...pending]);
    },
  };
}

/** The `resume` pushes of this gateway instance (see {@link createAgentResume}). */
export type AgentResume = ReturnType<typeof createAgentResume>;
