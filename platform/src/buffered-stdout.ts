import fs from 'node:fs';
import Transport from 'winston-transport';

const MESSAGE = Symbol.for('message');
const FLUSH_BYTES = 64 * 1024;

/** Every buffer, written out synchronously when the process exits (one listener, however many loggers). */
const open = new Set<BufferedStdout>();
process.once('exit', () => open.forEach((transport) => transport.flushSync()));

/**
 * Log lines to stdout, a batch per turn of the event loop instead of a write per line. On Linux a write
 * to a file or a pipe blocks the process, and at one line per request those writes were a sixth of an
 * API's CPU time (bench/history/2026-11-performance-notebook.md). Lines are written in order; whatever is buffered when the
 * process exits is written synchronously, so nothing is lost on a crash either.
 */
export class BufferedStdout extends Transport {
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(options?: Transport.TransportStreamOptions) {
    super(options);
    open.add(this);
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const line = `${String(info[MESSAGE])}\n`;
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    callback();
  }

  flush(): void {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    process.stdout.write(chunk);
  }

  flushSync(): void {
    if (this.lines.length === 0) return;
    try {
      fs.writeSync(1, this.lines.join(''));
    } catch {
      // stdout is gone: nothing to write to
    }
    this.lines = [];
  }
}
