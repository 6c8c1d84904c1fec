import { SbError } from '@switchboard/protocol';
import { type ConfigIssue, formatIssue } from './config-issue.ts';

/**
 * A config that does not validate (`E_VALIDATION`). Its message names every bad key, where the
 * value came from and what is allowed, one per line, with secrets redacted:
 * ```
 * Invalid configuration for router:
 *   - router.retry.maxAttempts = "abc" (env SB_ROUTER__RETRY__MAX_ATTEMPTS): expected an integer from 1 to 100
 *   - postgres.url = "mysql://app:***@db/x" (file ./sb.yaml): must be a postgres:// or postgresql:// URL
 * ```
 */
export class ConfigError extends SbError {
  /** Every problem found, values already redacted. */
  readonly issues: readonly ConfigIssue[];

  constructor(heading: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${formatIssue(issue)}`);
    super('E_VALIDATION', [`${heading}:`, ...lines].join('\n'), {
      details: { issues: issues.map((issue) => ({ ...issue })) },
    });
    this.issues = issues;
  }
}
