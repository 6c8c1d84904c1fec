import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from '../domain/series.ts';

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

/**
 * A time chart of one or more series that share their times (uPlot: small, fast, bundled).
 * Resizes with its container. While no series has a known value, `empty` says why over the
 * blank axes.
 */
export function TimeChart(props: {
  title: string;
  unit: string;
  /** `color` where it means something (failed in red); otherwise one from the palette. */
  series: Array<{ label: string; data: Series; color?: string }>;
  empty?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // The chart is rebuilt only when the set of series changes; new data goes through setData.
  const lines = props.series.map((series) => `${series.label}\t${series.color ?? ''}`).join('\n');
  const { unit } = props;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const options: uPlot.Options = {
      width: element.clientWidth,
      height: 180,
      series: [
        {},
        ...lines.split('\n').map((line, index) => {
          const [label, color] = line.split('\t');
          return {
            label,
            stroke: color || (COLORS[index % COLORS.length] as string),
            width: 2,
            spanGaps: false,
          };
        }),
      ],
      axes: [{}, { label: unit, size: 60 }],
      legend: { show: true },
    };
    const instance = new uPlot(options, [[]], element);
    plot.current = instance;
    const resize = new ResizeObserver(() =>
      instance.setSize({ width: element.clientWidth, height: 180 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.destroy();
      plot.current = undefined;
    };
  }, [lines, unit]);

  useEffect(() => {
    const times = props.series[0]?.data.times ?? [];
    plot.current?.setData([times, ...props.series.map((series) => series.data.values)]);
  });

  const hasData = props.series.some((series) => series.data.values.some((value) => value !== null));
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div className="chart-area">
        <div ref={container} role="img" aria-label={`${props.title} chart`} />
        {!hasData && (
          <p className="chart-empty muted">
            {props.empty ??
              'No figures yet: samples arrive every few seconds from the services that answer.'}
          </p>
        )}
      </div>
    </figure>
  );
}
