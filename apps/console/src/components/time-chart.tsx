import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from '../domain/series.ts';

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c'];

/**
 * A time chart of one or more series that share their times (uPlot: small, fast, bundled).
 * Resizes with its container.
 */
export function TimeChart(props: {
  title: string;
  unit: string;
  series: Array<{ label: string; data: Series }>;
}) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  // The chart is rebuilt only when the set of series changes; new data goes through setData.
  const labels = props.series.map((series) => series.label).join('\n');
  const { unit } = props;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const options: uPlot.Options = {
      width: element.clientWidth,
      height: 180,
      series: [
        {},
        ...labels.split('\n').map((label, index) => ({
          label,
          stroke: COLORS[index % COLORS.length] as string,
          width: 2,
          spanGaps: false,
        })),
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
  }, [labels, unit]);

  useEffect(() => {
    const times = props.series[0]?.data.times ?? [];
    plot.current?.setData([times, ...props.series.map((series) => series.data.values)]);
  });

  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={container} role="img" aria-label={`${props.title} chart`} />
    </figure>
  );
}
