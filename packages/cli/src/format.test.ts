import { describe, expect, it } from 'vitest';
import { queryString } from './client.ts';
import { parseValue } from './commands/config.ts';
import { describeEvent } from './commands/events.ts';
import { readServerSentEvents } from './sse.ts';
import { cell, formatRecord, formatTable } from './table.ts';

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function readAll(...parts: string[]) {
  const events = [];
  for await (const event of readServerSentEvents(chunks(...parts))) events.push(event);
  return events;
}

describe('reading Server-Sent Events', () => {
  it('reads events split anywhere across chunks, skipping comments', async () => {
    expect(
      await readAll(': connected\n\nid: 7\nevent: agent.co', 'nnected\ndata: {"a":1}\n', '\n'),
    ).toEqual([{ id: '7', event: 'agent.connected', data: '{"a":1}' }]);
  });

  it('joins data lines, tolerates CRLF and defaults the event name', async () => {
    expect(await readAll('data: one\r\ndata: two\r\n\r\nevent: stats\ndata:x\n\n')).toEqual([
      { id: undefined, event: 'message', data: 'one\ntwo' },
      { id: undefined, event: 'stats', data: 'x' },
    ]);
  });

  it('ignores unknown fields, blank blocks and an unfinished event', async () => {
    expect(await readAll('retry: 10\n\n\nfoo\nevent: e\n\nevent: cut\ndata: 1')).toEqual([
      { id: undefined, event: 'e', data: '' },
    ]);
  });
});

describe('tables', () => {
  it('aligns columns under upper-case headings, without trailing spaces', () => {
    const rows = [
      { id: 'a', name: 'first one' },
      { id: 'longer', name: 'x\ty' },
    ];
    expect(
      formatTable(rows, [
        { heading: 'id', value: (row) => row.id },
        { heading: 'name', value: (row) => row.name },
      ]),
    ).toBe('ID      NAME\na       first one\nlonger  x y');
    expect(formatTable([], [{ heading: 'id', value: () => '' }])).toBe('ID');
  });

  it('aligns record lines', () => {
    expect(
      formatRecord([
        ['id', '1'],
        ['status', 'ok'],
      ]),
    ).toBe('id:     1\nstatus: ok');
  });

  it('shows empty values as a dash and structures as JSON', () => {
    expect([null, undefined, '', [], 'x', ['a', 'b'], { k: 1 }, 5].map(cell)).toEqual([
      '-',
      '-',
      '-',
      '-',
      'x',
      'a,b',
      '{"k":1}',
      '5',
    ]);
  });
});

describe('command-line values', () => {
  it('builds query strings from the given values only, repeating arrays', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ limit: 5, cursor: undefined, label: ['a=1', 'b=2'], all: true })).toBe(
      '?limit=5&label=a%3D1&label=b%3D2&all=true',
    );
  });

  it('reads a setting value as JSON when it parses, else as text', () => {
    expect(parseValue('5')).toBe(5);
    expect(parseValue('["a"]')).toEqual(['a']);
    expect(parseValue('false')).toBe(false);
    expect(parseValue('debug')).toBe('debug');
  });

  it('condenses stats events for people and shows others with their id', () => {
    const stats = {
      id: undefined,
      event: 'stats',
      data: JSON.stringify({
        services: {
          gateway: { figures: { connections: 2, rss: 10 } },
          router: { error: { code: 'E_UNAVAILABLE' } },
          tools: {},
        },
      }),
    };
    expect(describeEvent(stats)).toBe(
      'stats  gateway connections=2 rss=10 | router E_UNAVAILABLE | tools ',
    );
    expect(describeEvent({ id: '3', event: 'agent.connected', data: '{"agentId":"a"}' })).toBe(
      '3  agent.connected  {"agentId":"a"}',
    );
    expect(describeEvent({ id: undefined, event: 'x', data: '1' })).toBe('-  x  1');
  });
});
