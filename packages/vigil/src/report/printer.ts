/** What the printers share: where diagnostics go, and how a path is shown on stderr. */

/** Where printers write diagnostics; the progress bar supplies one that keeps its line intact. */
export type DiagnosticSink = (line: string) => void;

/** How a path is shown to people on stderr: its bytes as they are, minus the newlines that would break the line. */
export function displayPath(path: Buffer): string {
  return path.toString('utf8').replace(/\n/g, '\\n');
}
