/**
 * `text` with what lies between `<!-- <name>:start -->` and `<!-- <name>:end -->` replaced by
 * `body` (the markers stay, each on its own line). Throws when the markers are missing, repeated
 * or out of order: a generated section must have exactly one home.
 */
export function replaceMarkedSection(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const isUnique = text.lastIndexOf(start) === from && text.lastIndexOf(end) === to;
  if (from === -1 || to === -1 || to < from || !isUnique) {
    throw new Error(`expected one "${start}" followed by one "${end}"`);
  }
  const content = body.trim() === '' ? '' : `${body.trim()}\n`;
  return `${text.slice(0, from)}${start}\n${content}${text.slice(to)}`;
}

/**
 * A diff-like summary of how `after` differs from `before`: the changed block (the lines between
 * the common head and tail) as `-` and `+` lines under the line number where it starts. Empty
 * when the texts are equal.
 */
export function describeTextChange(before: string, after: string): string {
  if (before === after) return '';
  const old = before.split('\n');
  const next = after.split('\n');
  let head = 0;
  while (head < old.length && head < next.length && old[head] === next[head]) head += 1;
  let tail = 0;
  while (
    tail < old.length - head &&
    tail < next.length - head &&
    old[old.length - 1 - tail] === next[next.length - 1 - tail]
  ) {
    tail += 1;
  }
  const removed = old.slice(head, old.length - tail).map((line) => `- ${line}`);
  const added = next.slice(head, next.length - tail).map((line) => `+ ${line}`);
  return [`@@ line ${head + 1}`, ...removed, ...added].join('\n');
}
