import { vi } from 'vitest';

// @a2a-js/sdk logs what it refuses straight to the console: each signature that does not
// verify (console.debug) and each request its Express handler answers with an error before a
// stream starts (console.error "Pre-stream error ..."). The tests provoke both on purpose and
// assert the refusals themselves; these lines only bury the output. Anything else still prints.

/** Keeps the SDK's expected refusals out of the test output. */
export function quietA2aSdk(): void {
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  // biome-ignore lint/suspicious/noConsole: every other error line still reaches the output
  const error = console.error.bind(console);
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('Pre-stream error')) return;
    error(...args);
  });
}
