import type { Bus, RequestContext } from '@switchboard/bus';
import { isSbError, type SbError } from '@switchboard/protocol';
import type { ItemAnswer } from './answer-each.ts';
import { callerOf } from './caller.ts';
import { interceptBus } from './intercept-bus.ts';
import type { SecurityEvents, SecurityReport } from './security-events.ts';
import { isDecryptFailure, reportDecryptFailure, wasReported } from './undecryptable-reports.ts';

interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

function whoCalled(context: RequestContext): Pick<SecurityReport, 'principal' | 'credentialId'> {
  try {
    const { principal } = callerOf(context.principal);
    return { principal: principal.id, credentialId: principal.credential.id };
  } catch {
    // Requests between services carry no principal: the event names none.
    return {};
  }
}

function reportRefusal(security: SecurityEvents, refusal: Refusal, context: RequestContext) {
  const path = context.subject;
  if (refusal.code === 'E_FORBIDDEN') {
    security.report({
      kind: 'forbidden',
      ...whoCalled(context),
      path,
      code: refusal.code,
      detail: refusal.message,
    });
  } else if (isDecryptFailure(refusal)) {
    reportDecryptFailure(security, refusal, path);
  }
}

// A batch reply (`answerEach`) answers each item on its own: its refusals are items, not a throw.
function itemErrorsOf(result: unknown): Refusal[] {
  const results = (result as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return [];
  return (results as Array<ItemAnswer<unknown> | null>).flatMap((item) =>
    item !== null && typeof item === 'object' && item.ok === false && item.error !== undefined
      ? [item.error]
      : [],
  );
}

/**
 * The bus a service's handlers serve on, reporting as security events what those handlers
 * refuse: `E_FORBIDDEN` (the owning service evaluated the caller's grants and said no) and
 * records of the payload codec that did not decrypt (unless the codec reported them already, see
 * `reportUndecryptable`). The one place every RPC reply passes, so no handler reports on its
 * own; everything else goes to `bus` unchanged.
 */
export function reportRefusals(bus: Bus, security: SecurityEvents): Bus {
  return interceptBus(bus, {
    handler: (handler) => async (request, context) => {
      try {
        const result = await handler(request, context);
        for (const refusal of itemErrorsOf(result)) reportRefusal(security, refusal, context);
        return result;
      } catch (error) {
        // A codec wrapped by `reportUndecryptable` reported its failure where it happened.
        if (isSbError(error) && !wasReported(error as SbError)) {
          reportRefusal(security, error as SbError, context);
        }
        throw error;
      }
    },
  });
}
