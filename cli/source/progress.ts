/**
 * A one-line progress bar for a terminal: redrawn at most 5 times a second with a carriage
 * return, cleared at the end. When the stream is not a TTY nothing is drawn (logs and --json
 * stay clean).
 */
import type { WriteStream } from 'node:tty';

export interface ProgressSnapshot {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** Extra text after the rate, e.g. bytes sent. */
  readonly note?: string;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export function humanBytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${UNITS[i]}`;
}

const clock = (s: number): string => {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
};

/** Renders one line of at most `width` columns. */
export function renderProgress(p: ProgressSnapshot, elapsedSeconds: number, width: number): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const rate = elapsedSeconds > 0 ? p.done / elapsedSeconds : 0;
  const eta = rate > 0 ? (p.total - p.done) / rate : Number.NaN;
  const tail = ` ${(frac * 100).toFixed(0).padStart(3)}% ${humanBytes(p.done)}/${humanBytes(p.total)} ${humanBytes(rate)}/s ETA ${clock(eta)}${p.note ? `  ${p.note}` : ''}`;
  const head = `${p.label} `;
  const barWidth = Math.max(10, Math.min(40, width - head.length - tail.length - 2));
  const filled = Math.round(frac * barWidth);
  return `${head}[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`.slice(0, Math.max(20, width - 1));
}

export class ProgressBar {
  private readonly started = Date.now();
  private last = 0;
  private drawn = false;
  private readonly tty: WriteStream | undefined;

  constructor(stream: NodeJS.WriteStream, enabled = true) {
    this.tty = enabled && stream.isTTY ? (stream as WriteStream) : undefined;
  }

  update(p: ProgressSnapshot, force = false): void {
    if (!this.tty) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    this.tty.write(`\r${renderProgress(p, (now - this.started) / 1000, this.tty.columns || 100)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the line (call before printing anything else). */
  done(): void {
    if (this.tty && this.drawn) this.tty.write('\r\x1b[K');
    this.drawn = false;
  }
}
