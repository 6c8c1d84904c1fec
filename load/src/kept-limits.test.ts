import { describe, expect, it } from 'vitest';
import { AGENT_FRAMES, keptLimitsEnv, rateLimitsText, shareOf } from './kept-limits.ts';
import { DEFAULT_MIX, parseMix } from './operations.ts';

describe('keptLimitsEnv', () => {
  it('sizes each credential bucket to the knee and lifts the per-address ones', () => {
    const mix = parseMix(
      'direct=0,topic=0,broadcast=0,request=0,task=0,tool=0,state-read=0,state-write=0,a2a-remote=0',
      DEFAULT_MIX,
    );
    // Left: mcp-tool 4, upstream-tool 4 (half over MCP), a2a 4: MCP is half the mix, A2A a third,
    // and half an agent frame an operation (none, a half, one).
    const env = keptLimitsEnv(120, mix);
    expect(env).toMatchObject({
      SB_GATEWAY__RATE_LIMITS__PER_IP__REFILL_PER_SECOND: '10000000',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__REFILL_PER_SECOND: '60',
      SB_GATEWAY__RATE_LIMITS__PER_CREDENTIAL__CAPACITY: '120',
      SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND: '60',
      SB_TOOLS__MCP__RATE_LIMIT__CAPACITY: '120',
      SB_TOOLS__MCP__RATE_LIMIT_PER_IP__CAPACITY: '10000000',
      SB_A2A__RATE_LIMIT__REFILL_PER_SECOND: '40',
      SB_A2A__RATE_LIMIT_PER_IP__REFILL_PER_SECOND: '10000000',
    });
  });

  it('never sizes a bucket below one request a second', () => {
    const mix = parseMix('mcp-tool=0,upstream-tool=0,a2a=0', DEFAULT_MIX);
    expect(keptLimitsEnv(100, mix)).toMatchObject({
      SB_TOOLS__MCP__RATE_LIMIT__REFILL_PER_SECOND: '1',
      SB_A2A__RATE_LIMIT__CAPACITY: '2',
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
    expect(rateLimitsText(keptLimitsEnv(100, DEFAULT_MIX))).toMatch(
      /^Rate limits kept, sized to the knee .*: gateway 119 frames\/s, MCP \d+ requests\/s, A2A \d+ requests\/s; per address lifted\.$/,
    );
  });
});
