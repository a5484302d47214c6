import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const DAY = 86_400;
/** [start of the first of the last `days` UTC days, end of today] in Unix seconds. */
export function dayRange(days: number, now = Date.now()): [number, number] {
  const today = Math.floor(now / 1000 / DAY) * DAY;
  return [today - (days - 1) * DAY - DAY / 2, today + DAY / 2];
}

export interface Series { label: string; values: Array<number | null>; color: string; bars?: boolean }

/**
 * A uPlot chart: `x` in Unix seconds (time) or 0..n-1 with `categories` (one label per index).
 * The figures are also given as a table for screen readers (`summary`).
 */
export function Chart({ title, x, series, categories, yFormat, height = 220, days }: {
  title: string; x: number[]; series: Series[]; categories?: string[]; yFormat?: (v: number) => string; height?: number;
  /** Time charts: the x axis spans these last days (to today), whatever the data holds. */
  days?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = el.current;
    if (!host) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 60] });
    const opts: uPlot.Options = {
      width: Math.max(280, host.clientWidth || 560), height,
      scales: {
        x: categories
          ? { time: false, range: () => [-0.5, Math.max(categories.length, 1) - 0.5] }
          : { time: true, ...(days ? { range: () => dayRange(days) } : {}) },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        categories ? { values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? categories[t] ?? '' : '')), incrs: [1] } : {},
        { values: (_u, ticks) => ticks.map((t) => (yFormat ? yFormat(t) : String(t))), size: 80 },
      ],
      series: [{}, ...series.map((s) => ({
        label: s.label, stroke: s.color, width: 2, fill: s.bars ? s.color + '99' : s.color + '22',
        ...(s.bars && bars ? { paths: bars, points: { show: false } } : {}),
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : yFormat ? yFormat(v) : String(v)),
      }))],
      legend: { show: true },
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, host);
    const resize = () => plot.setSize({ width: Math.max(280, host.clientWidth), height });
    window.addEventListener('resize', resize);
    return () => { window.removeEventListener('resize', resize); plot.destroy(); };
  }, [JSON.stringify({ x, series, categories })]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={el} class="chart-canvas" role="img" aria-label={title} />
      {x.length === 0 && <p class="muted">No data yet.</p>}
    </figure>
  );
}
