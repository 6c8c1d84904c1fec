import { describe, expect, it } from 'vitest';
import { AGENT_FRAMES, keptLimits, rateLimitsText, shareOf } from './kept-limits.ts';
import { DEFAULT_MIX, parseMix } from './operations.ts';

describe('keptLimits', () => {
  it('sizes each per-credential bucket to the knee, as the live settings that hold them', () => {
    const mix = parseMix(
      'direct=0,topic=0,broadcast=0,request=0,task=0,tool=0,state-read=0,state-write=0,a2a-remote=0',
      DEFAULT_MIX,
    );
    // Left: mcp-tool 4, upstream-tool 4 (half over MCP), a2a 4: MCP is half the mix, A2A a third,
    // and half an agent frame an operation (none, a half, one).
    expect(keptLimits(120, mix)).toEqual({
      'gateway.rateLimits.perCredential.capacity': 120,
      'gateway.rateLimits.perCredential.refillPerSecond': 60,
      'tools.mcp.rateLimit.capacity': 120,
      'tools.mcp.rateLimit.refillPerSecond': 60,
      'a2a.rateLimit.capacity': 80,
      'a2a.rateLimit.refillPerSecond': 40,
    });
  });

  it('never sizes a bucket below one request a second', () => {
    const mix = parseMix('mcp-tool=0,upstream-tool=0,a2a=0', DEFAULT_MIX);
    expect(keptLimits(100, mix)).toMatchObject({
      'tools.mcp.rateLimit.refillPerSecond': 1,
      'a2a.rateLimit.capacity': 2,
    });
  });
});

describe('shareOf', () => {
  it('weighs each named operation by the part of its calls that counts', () => {
    const mix = parseMix(
      'direct=0,topic=0,broadcast=0,request=0,task=0,tool=0,state-read=0,state-write=0,a2a=0,a2a-remote=0',
      DEFAULT_MIX,
    );
    expect(shareOf(mix, { 'mcp-tool': 1, 'upstream-tool': 0.5 })).toBeCloseTo(0.75);
    expect(shareOf(mix, {})).toBe(0);
    expect(shareOf(DEFAULT_MIX, AGENT_FRAMES)).toBeCloseTo(1.19, 2);
  });
});

describe('rateLimitsText', () => {
  it('states the kept limits of a run, or that they were lifted', () => {
    expect(rateLimitsText('lifted')).toBe('Rate limits lifted.');
    expect(rateLimitsText(null)).toBe('Rate limits lifted.');
    expect(rateLimitsText(keptLimits(100, DEFAULT_MIX))).toMatch(
      /^Rate limits kept from the end of the set-up, sized to the knee .*: gateway 119 frames\/s, MCP \d+ requests\/s, A2A \d+ requests\/s; per address lifted\.$/,
    );
  });
});
