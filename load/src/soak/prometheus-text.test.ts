import { describe, expect, it } from 'vitest';
import { readGauge } from './prometheus-text.ts';

const TEXT = [
  '# HELP process_resident_memory_bytes Resident memory size in bytes.',
  '# TYPE process_resident_memory_bytes gauge',
  'process_resident_memory_bytes 104857600',
  'process_resident_memory_bytes_extra 1',
  'nodejs_heap_size_used_bytes{instance="a"} 52428800',
  'nodejs_heap_size_total_bytes NaN',
].join('\n');

describe('readGauge', () => {
  it('reads a gauge with or without labels, not one whose name only starts the same', () => {
    expect(readGauge(TEXT, 'process_resident_memory_bytes')).toBe(104_857_600);
    expect(readGauge(TEXT, 'nodejs_heap_size_used_bytes')).toBe(52_428_800);
    expect(
      readGauge('process_resident_memory_bytes_extra 1', 'process_resident_memory_bytes'),
    ).toBeUndefined();
  });

  it('has no value for a missing metric or one that is not a number', () => {
    expect(readGauge(TEXT, 'nodejs_heap_size_total_bytes')).toBeUndefined();
    expect(readGauge(TEXT, 'nodejs_eventloop_lag_seconds')).toBeUndefined();
  });
});
