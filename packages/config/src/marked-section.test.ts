import { describe, expect, it } from 'vitest';
import { describeTextChange, replaceMarkedSection } from './marked-section.ts';

const readme = ['# Title', '', '<!-- t:start -->', 'old', '<!-- t:end -->', '', 'after'].join('\n');

describe('replaceMarkedSection', () => {
  it('replaces what lies between the markers and keeps everything else', () => {
    expect(replaceMarkedSection(readme, 't', '\nnew 1\nnew 2\n\n')).toBe(
      ['# Title', '', '<!-- t:start -->', 'new 1', 'new 2', '<!-- t:end -->', '', 'after'].join(
        '\n',
      ),
    );
  });

  it('is stable: replacing with the same body changes nothing', () => {
    const once = replaceMarkedSection(readme, 't', 'body');
    expect(replaceMarkedSection(once, 't', 'body')).toBe(once);
  });

  it('leaves the markers adjacent for an empty body', () => {
    expect(replaceMarkedSection(readme, 't', '  \n')).toContain('<!-- t:start -->\n<!-- t:end -->');
  });

  it('refuses missing, repeated or reversed markers', () => {
    const expected = /expected one "<!-- t:start -->" followed by one "<!-- t:end -->"/;
    expect(() => replaceMarkedSection('# nothing', 't', 'x')).toThrow(expected);
    expect(() => replaceMarkedSection('<!-- t:start -->', 't', 'x')).toThrow(expected);
    expect(() => replaceMarkedSection('<!-- t:end --><!-- t:start -->', 't', 'x')).toThrow(
      expected,
    );
    expect(() => replaceMarkedSection(`${readme}\n<!-- t:start -->`, 't', 'x')).toThrow(expected);
    expect(() => replaceMarkedSection(`${readme}\n<!-- t:end -->`, 't', 'x')).toThrow(expected);
  });
});

describe('describeTextChange', () => {
  it('is empty when nothing changed', () => {
    expect(describeTextChange('a\nb', 'a\nb')).toBe('');
  });

  it('shows the changed lines between the common head and tail', () => {
    expect(describeTextChange('a\nb\nc\nd', 'a\nB\nX\nd')).toBe(
      ['@@ line 2', '- b', '- c', '+ B', '+ X'].join('\n'),
    );
  });

  it('shows lines added at the end or removed from the start', () => {
    expect(describeTextChange('a', 'a\nb')).toBe('@@ line 2\n+ b');
    expect(describeTextChange('a\nb', 'b')).toBe('@@ line 1\n- a');
  });
});
