import { SbError, type ToolVersionStatus } from '@switchboard/protocol';

/** What an operator does to a version. */
export type StatusAction = 'deprecate' | 'retire';

/**
 * The status a version moves to. Deprecating a deprecated version and retiring a retired one
 * are no-ops; a retired version stays retired.
 * @throws SbError `E_CONFLICT` when deprecating a retired version.
 */
export function nextStatus(current: ToolVersionStatus, action: StatusAction): ToolVersionStatus {
  if (action === 'retire') return 'retired';
  if (current === 'retired') {
    throw new SbError(
      'E_CONFLICT',
      'the version is retired; a retired version cannot be deprecated',
    );
  }
  return 'deprecated';
}
