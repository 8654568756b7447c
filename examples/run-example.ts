/** For the examples' tests: runs an example as a child process and collects what it printed. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ExampleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout split into lines, without the final empty one. */
  readonly lines: string[];
}

/** Runs `node --import tsx <script> ...args` from the repository root; never rejects on a failed exit. */
export function runExample(script: string, args: string[] = [], env?: NodeJS.ProcessEnv): Promise<ExampleRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(Object.assign(error, { stderr }));
        else
          resolve({ code: error ? (error.code as number) : 0, stdout, stderr, lines: stdout.split('\n').slice(0, -1) });
      },
    );
  });
}
