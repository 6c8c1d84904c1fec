import type { MessageHeaders, SubscriptionFilter } from '@switchboard/protocol';

/**
 * True when a message with `headers` passes `filter`: every header the filter names is present
 * and equal to the value (or one of the values) it gives. No filter passes everything.
 */
export function passesFilter(filter: SubscriptionFilter | null, headers: MessageHeaders): boolean {
  if (filter === null) return true;
  return Object.entries(filter.headers).every(([name, wanted]) => {
    const value = headers[name];
    if (value === undefined) return false;
    return typeof wanted === 'string' ? value === wanted : wanted.includes(value);
  });
}
