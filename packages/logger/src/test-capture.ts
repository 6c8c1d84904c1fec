import { Writable } from 'node:stream';

/** A destination that keeps what a logger writes, for assertions. */
export interface Capture {
  readonly stream: Writable;
  /** Everything written so far, as one string. */
  text(): string;
  /** Every line written so far, parsed as JSON. */
  lines(): Record<string, unknown>[];
}

/** Creates a {@link Capture}: pass `capture.stream` as the logger's `destination`. */
export function capture(): Capture {
  const chunks: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
