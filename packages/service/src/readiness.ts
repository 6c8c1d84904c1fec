/** A named dependency check; resolves when healthy. */
export type ReadinessCheck = () => Promise<unknown>;

/** The result of one round of checks: every dependency's status, failures with their reason. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

/** Runs every check at once, each bounded by `timeoutMs`, so one hung dependency cannot hang the probe. */
export async function checkReadiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(
    names.map((name) =>
      Promise.race([
        (checks[name] as ReadinessCheck)(),
        new Promise((_, reject) => {
          setTimeout(
            () => reject(new Error(`no answer within ${timeoutMs} ms`)),
            timeoutMs,
          ).unref();
        }),
      ]),
    ),
  );
  const report: ReadinessReport = { ready: true, checks: {} };
  outcomes.forEach((outcome, index) => {
    const name = names[index] as string;
    if (outcome.status === 'fulfilled') {
      report.checks[name] = 'ok';
    } else {
      report.ready = false;
      report.checks[name] =
        outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
    }
  });
  return report;
}
