/**
 * Copies what a worker prints to the parent's stdout or stderr whole line by whole line, so
 * two workers never mix within a line; optionally each line starts with the worker's name.
 */
import type { Readable } from 'node:stream';

/** Buffers a partial line until its newline arrives, then writes whole lines at once. */
export class LineWriter {
  private partial = '';
  constructor(
    private readonly target: NodeJS.WritableStream,
    private readonly prefix: string | undefined,
  ) {}

  write(chunk: string): void {
    const text = this.partial + chunk;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.partial = text;
      return;
    }
    this.partial = text.slice(lastNewline + 1);
    const complete = text.slice(0, lastNewline + 1);
    this.target.write(this.prefix === undefined ? complete : prefixLines(complete, this.prefix));
  }

  /** The worker is gone: a last line without a newline still gets printed, with one. */
  end(): void {
    if (this.partial !== '') this.write('\n');
  }
}

export function relayLines(source: Readable, target: NodeJS.WritableStream, prefix: string | undefined): void {
  const writer = new LineWriter(target, prefix);
  source.setEncoding('utf8');
  source.on('data', (chunk: string) => writer.write(chunk));
  source.on('end', () => writer.end());
}

function prefixLines(lines: string, prefix: string): string {
  return prefix + lines.slice(0, -1).replaceAll('\n', `\n${prefix}`) + '\n';
}
