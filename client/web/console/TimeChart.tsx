// A small uPlot time chart that follows its container's width. The canvas is described by
// its aria-label; the figures it draws are also in the dashboard's tiles as text.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TimeSeries {
  label: string;
  stroke: string;
  /** Bars instead of a line (counts per minute). */
  bars?: boolean;
}

export function TimeChart(props: {
  title: string;
  series: TimeSeries[];
  /** [x (epoch seconds), ...one column per series]. */
  data: (number | null)[][];
  height?: number;
  yFormat?: (v: number) => string;
  /** Show only the last this many seconds (a live chart's moving window). */
  windowSeconds?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((s) => `${s.label}/${s.bars ? 1 : 0}`).join();

  useEffect(() => {
    const el = box.current!;
    const fmt = props.yFormat;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 180,
      legend: { show: true },
      scales: {
        x: {
          time: true,
          // A live window moves with the newest point; bars get a minute's room at the right.
          range: props.windowSeconds
            ? (_u, _min, max) => [max - props.windowSeconds!, max]
            : props.series.some((x) => x.bars)
              ? (_u, min, max) => [min - 30, max + 30]
              : undefined,
        },
        y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] },
      },
      axes: [{}, { values: fmt ? (_u, vals) => vals.map((v) => fmt(v)) : undefined, size: 60 }],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          fill: s.bars ? `${s.stroke}55` : undefined,
          width: 2,
          paths: s.bars ? uPlot.paths.bars?.({ size: [0.8, 40] }) : undefined,
          // Points too: a series that just started has a point or two and no line yet.
          points: { show: !s.bars, size: 5 },
        })),
      ],
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() =>
      u.setSize({ width: Math.max(200, el.clientWidth), height: opts.height }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return (
    <figure class="time-chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={props.title} />
    </figure>
  );
}
