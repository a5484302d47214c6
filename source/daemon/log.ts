/**
 * The source daemon's log (issue 13): one line per event, JSON when the stream is not a terminal
 * (journald, a file, a log shipper), readable text on a terminal. Fields never carry secrets
 * (no key, no certificate body).
 */
export type Level = 'info' | 'warn' | 'error';
export type DaemonLog = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

export function daemonLog(stream: NodeJS.WritableStream & { isTTY?: boolean }, now: () => Date = () => new Date()): DaemonLog {
  const json = !stream.isTTY;
  return (level, msg, fields = {}) => {
    const time = now().toISOString();
    if (json) stream.write(`${JSON.stringify({ time, level, msg, ...fields })}\n`);
    else {
      const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      stream.write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${extra ? `  ${extra}` : ''}\n`);
    }
  };
}
