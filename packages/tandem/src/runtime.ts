/**
 * The JavaScript runtime tandem runs on. Bun and Deno implement enough of Node's worker_threads
 * and child_process for every local backend; the few places where they differ ask here (what
 * works where: docs/tandem.md, "Runtimes").
 */
export type Runtime = 'node' | 'bun' | 'deno';

export const RUNTIME: Runtime = 'Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';
