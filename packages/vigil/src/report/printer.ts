/** What the printers share: where diagnostics go, how a path is shown on stderr, and how a printer starts. */
import { BufferedOutput } from './output.js';

/** Where printers write diagnostics; the progress bar supplies one that keeps its line intact. */
export type DiagnosticSink = (line: string) => void;

/** How a path is shown to people on stderr: its bytes as they are, minus the newlines that would break the line. */
export function displayPath(path: Buffer): string {
  return path.toString('utf8').replace(/\n/g, '\\n');
}

/** The streams every printer writes to: stdout for its report, a sink for diagnostics. */
export interface PrinterStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly diagnostics: DiagnosticSink;
}

/**
 * How every printer (hash and check, text and JSON) starts: its options, stdout behind a
 * BufferedOutput whose backpressure the walk waits on (`blocked`), and warnings as
 * `vigil: ...` diagnostics. Written once so the four printers differ only in what they print.
 */
export abstract class BufferedPrinter<Options extends PrinterStreams> {
  protected readonly options: Options;
  protected readonly out: BufferedOutput;

  constructor(options: Options) {
    this.options = options;
    this.out = new BufferedOutput(options.stdout as never);
  }

  get blocked(): Promise<void> | undefined {
    return this.out.blocked;
  }

  warn(message: string): void {
    this.options.diagnostics(`vigil: ${message}`);
  }
}
