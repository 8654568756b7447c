/** Test helpers: run the built CLI as a child process, and build fixture trees in temp dirs. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
/** vigil with test hooks: its workers read through test/support/observed-reader.mjs. */
export const OBSERVED_CLI = fileURLToPath(new URL('./support/observed-cli.mjs', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string | Buffer;
  /**
   * Run without privileges: tests run as root, who can read anything, so this drops every
   * capability (setpriv) and keeps the user id. File permissions then apply as they do to any
   * user: a file or directory of mode 000 cannot be read. (Not `setpriv --reuid=nobody`:
   * nobody cannot reach the CLI, nor a Node.js installed under /root, when the clone sits in a
   * directory only root may enter, as `mktemp -d` makes.)
   */
  readonly unprivileged?: boolean;
  /** Run OBSERVED_CLI, whose reads the VIGIL_TEST_* variables watch and disturb (see test/support/). */
  readonly observed?: boolean;
}

/** Runs `vigil ...args` and collects its output. */
export function vigil(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const node = process.execPath;
  const cli = options.observed ? OBSERVED_CLI : CLI;
  const [command, commandArgs] = options.unprivileged
    ? ['setpriv', ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', node, cli, ...args]]
    : [node, [cli, ...args]];
  return run(command as string, commandArgs as string[], options);
}

/** Runs any program and collects its output. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    if (child.stdin) {
      // A child that exits without reading its stdin is not the test's failure.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}

/** A fresh directory readable by everyone; removed by `cleanup`. */
export function tempDir(prefix = 'vigil-test-', parent = tmpdir()): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(parent, prefix));
  chmodSync(path, 0o755);
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** stdout as lines (without the final empty one). */
export function lines(output: Buffer): string[] {
  const text = output.toString('latin1');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/**
 * A temp dir for the tests of the enclosing describe: made before them, removed after.
 * Returns the path builder `at(...names)` into it (valid once the tests run).
 */
export function suiteDir(prefix?: string): (...names: string[]) => string {
  let dir: { path: string; cleanup: () => void } | undefined;
  before(() => {
    dir = tempDir(prefix);
  });
  after(() => dir?.cleanup());
  return (...names) => join((dir as { path: string }).path, ...names);
}
