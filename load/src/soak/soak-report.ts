import { markdownTable as table } from '../markdown-table.ts';
import { renderLineChart } from '../svg-chart.ts';
import type { SoakCheck, SoakMeasure, SoakResult, SoakSample } from './soak-judge.ts';

// The soak's part of the report: the slope of every series against its bound, and plots of
// memory, Redis keys and table sizes over the run.

const UNITS: Record<SoakMeasure, string> = {
  rss: 'MiB/min',
  heap: 'MiB/min',
  'redis-keys': 'keys/min',
  table: 'MiB/min',
  'table-rows': 'rows/min',
};
const MEASURES: Record<SoakMeasure, string> = {
  rss: 'RSS',
  heap: 'V8 heap used',
  'redis-keys': 'Redis keys',
  table: 'table size',
  'table-rows': 'live rows',
};

const slopeText = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));

function firstAndLast(soak: SoakResult, pick: (sample: SoakSample) => number | undefined) {
  const after = soak.samples.filter((sample) => sample.atS >= soak.warmupS);
  const values = after.map(pick).filter((value): value is number => value !== undefined);
  return `${values[0]?.toFixed(1) ?? '—'} → ${values.at(-1)?.toFixed(1) ?? '—'}`;
}

function readingOf(sample: SoakSample, check: SoakCheck): number | undefined {
  switch (check.measure) {
    case 'rss':
      return sample.rssMiB[check.subject];
    case 'heap':
      return sample.heapMiB[check.subject];
    case 'redis-keys':
      return sample.redisKeys;
    case 'table':
      return sample.tableMiB[check.subject];
    case 'table-rows':
      return sample.tableRows[check.subject];
    default: {
      const unknown: never = check.measure;
      throw new Error(`unknown measure ${String(unknown)}`);
    }
  }
}

/** The soak section of the Markdown report (nothing for other scenarios). */
export function soakSection(soak: SoakResult | undefined): string[] {
  if (soak === undefined) return [];
  const broken = soak.checks.filter((check) => !check.passed);
  // Tables that never grew (catalogs) say nothing: the table lists the ones that moved.
  const shown = soak.checks.filter(
    (check) =>
      check.measure !== 'table' || check.bound !== undefined || (check.slopePerMin ?? 0) > 0.001,
  );
  const unretained = soak.checks.filter(
    (check) =>
      check.measure === 'table' && check.bound === undefined && (check.slopePerMin ?? 0) > 0.001,
  );
  return [
    '## Soak',
    '',
    `Knee given: ${soak.kneePerSecond}/s; offered ${soak.offeredPerSecond}/s (half) for the whole run, every service's memory (its /metrics), the namespace's Redis keys and each table's size (pg_total_relation_size) read every ${soak.sampleMs / 1000} s. Slopes are least-squares fits after the first ${soak.warmupS} s. Bounds: RSS ${soak.bounds.rssMiBPerMin} MiB/min, V8 heap ${soak.bounds.heapMiBPerMin} MiB/min per service, Redis keys ${soak.bounds.redisKeysPerMin}/min; for each table a retention job trims (${soak.retainedTables.join(', ')}) ${soak.bounds.tableRowsPerMin} live rows/min (pg_stat_user_tables: retention keeps up) and ${soak.bounds.tableMiBPerMin} MiB/min of size (vacuum reclaims what it deleted); retention ran short so it shows within the soak: \`${JSON.stringify(soak.retention)}\`.${soak.failedSamples > 0 ? ` ${soak.failedSamples} samples failed to read and are left out.` : ''}`,
    '',
    broken.length === 0
      ? '**Every series stayed within its bound.**'
      : `**Over the bound:** ${broken.map((check) => `${MEASURES[check.measure]} of ${check.subject} (${slopeText(check.slopePerMin)} ${UNITS[check.measure]})`).join(', ')}.`,
    '',
    ...(unretained.length === 0
      ? []
      : [
          `Tables without a retention job grow with the load and are not judged: ${unretained.map((check) => `${check.subject} ${slopeText(check.slopePerMin)} MiB/min`).join(', ')}.`,
          '',
        ]),
    table(
      ['what', 'of', 'after warm-up: first → last', 'slope', 'bound', 'verdict'],
      shown.map((check) => [
        MEASURES[check.measure],
        check.subject,
        firstAndLast(soak, (sample) => readingOf(sample, check)),
        `${slopeText(check.slopePerMin)} ${UNITS[check.measure]}`,
        check.bound === undefined
          ? 'none (no retention)'
          : `${check.bound} ${UNITS[check.measure]}`,
        check.passed ? 'ok' : 'OVER',
      ]),
    ),
    '',
  ];
}

/** The soak's plots: memory, heap, Redis keys and the tables that grew, over the run. */
export function soakCharts(soak: SoakResult | undefined): string[] {
  if (soak === undefined) return [];
  const markers = [{ x: soak.warmupS, label: 'slopes from here' }];
  const xLabel = 'seconds since the measured load began';
  const seriesOf = (measure: SoakMeasure) =>
    soak.checks
      .filter((check) => check.measure === measure)
      .filter(
        (check) =>
          measure !== 'table' || (check.slopePerMin ?? 0) > 0.001 || check.bound !== undefined,
      )
      .map((check) => ({
        name: check.subject,
        points: soak.samples.flatMap((sample) => {
          const value = readingOf(sample, check);
          return value === undefined ? [] : [[sample.atS, value] as [number, number]];
        }),
      }));
  return [
    renderLineChart({
      title: 'Soak: RSS per service (/metrics)',
      xLabel,
      yLabel: 'MiB',
      series: seriesOf('rss'),
      markers,
    }),
    renderLineChart({
      title: 'Soak: V8 heap used per service',
      xLabel,
      yLabel: 'MiB',
      series: seriesOf('heap'),
      markers,
    }),
    renderLineChart({
      title: 'Soak: Redis keys of the run’s namespace',
      xLabel,
      yLabel: 'keys',
      series: seriesOf('redis-keys'),
      markers,
    }),
    renderLineChart({
      title: 'Soak: live rows of the tables retention trims',
      xLabel,
      yLabel: 'rows',
      series: seriesOf('table-rows'),
      markers,
    }),
    renderLineChart({
      title: 'Soak: table sizes (retained tables and those that grew)',
      xLabel,
      yLabel: 'MiB',
      series: seriesOf('table'),
      markers,
    }),
  ];
}
