/** Where a value that failed validation came from. */
export type IssueSource =
  | { kind: 'default' }
  | { kind: 'file'; path: string }
  | { kind: 'env'; name: string }
  | { kind: 'override' }
  /** No layer holds a value and the schema has no default: a required setting is missing. */
  | { kind: 'unset' };

/** One bad setting: its dotted key, where its value came from, the value and what is allowed. */
export interface ConfigIssue {
  /** Dotted key (`router.retry.maxAttempts`); empty for a problem with a whole source. */
  key: string;
  source: IssueSource;
  /** What is allowed, or what went wrong. */
  message: string;
  /** The offending value, already redacted; absent when there is none to show. */
  value?: unknown;
}

/**
 * `file ./sb.yaml`, `env SB_ROUTER__RETRY__MAX_ATTEMPTS`, `default`, `override`, `not set`.
 * (No `default:` branch: the return type makes tsc reject a kind left out.)
 */
export function describeSource(source: IssueSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'file':
      return `file ${source.path}`;
    case 'env':
      return `env ${source.name}`;
    case 'override':
      return 'override';
    case 'unset':
      return 'not set';
  }
}

/** One line per issue: `router.retry.maxAttempts = "abc" (env SB_...): expected a number`. */
export function formatIssue(issue: ConfigIssue): string {
  const source = describeSource(issue.source);
  if (issue.key === '') return `${source}: ${issue.message}`;
  const shown = Object.hasOwn(issue, 'value') ? ` = ${showValue(issue.value)}` : '';
  return `${issue.key}${shown} (${source}): ${issue.message}`;
}

function showValue(value: unknown): string {
  const text: string | undefined = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
  return text ?? String(value);
}
