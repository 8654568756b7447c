/** For the examples' tests: runs an example as a child process and collects what it printed. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/**
 * Whether the tests run compiled (scripts/compile-tests.mjs): then each example's compiled copy
 * sits beside its source in the tests' mirror, and runs with no loader (under tsx, every worker
 * an example starts loads tsx again: see compile-tests.mjs).
 */
const compiled = import.meta.url.endsWith('.js');

export interface ExampleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines, without the final empty one. */
  readonly lines: string[];
}

export interface RunExampleOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Run the TypeScript source under tsx even when the tests run compiled (as `npm run example` does). */
  readonly underTsx?: boolean;
}

/**
 * Runs an example (`script` is its path from the repository root, e.g.
 * `examples/launcher/main.ts`) from the repository root: `node --import tsx <script> ...args`, or
 * its compiled copy with plain node when the tests run compiled. Never rejects on a failed exit.
 */
export function runExample(script: string, args: string[] = [], options: RunExampleOptions = {}): Promise<ExampleRun> {
  const command =
    compiled && !options.underTsx
      ? [fileURLToPath(new URL(`../${script.replace(/\.ts$/, '.js')}`, import.meta.url))]
      : ['--import', 'tsx', script];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...command, ...args],
      { cwd: root, env: { ...process.env, ...options.env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(Object.assign(error, { stderr }));
        else
          resolve({ code: error ? (error.code as number) : 0, stdout, stderr, lines: stdout.split('\n').slice(0, -1) });
      },
    );
  });
}
