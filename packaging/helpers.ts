/**
 * Helpers for the packaging tests: run npm and other commands, pack a workspace package the
 * way `npm publish` would, and read the packages' names from their package.json files (the
 * tests never spell a package name, so renaming a package does not break them).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root, by its real path: the tests may run from a compiled mirror of it
 * (scripts/compile-tests.mjs), where package.json is a link to the real one and git sees nothing.
 */
export const REPO = dirname(realpathSync(fileURLToPath(new URL('../package.json', import.meta.url))));

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly bin?: Record<string, string>;
}

/** packages/<dir>/package.json. */
export function manifest(dir: 'tandem' | 'vigil'): Manifest {
  return JSON.parse(readFileSync(join(REPO, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

/** The version of a package installed in the repository (to install the same one elsewhere). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as Manifest).version;
}

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end and collects its output; never rejects on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like `run`, but rejects with the command's output when it exits non-zero. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<Result> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/**
 * `npm pack` of a workspace package into `destination` (its prepack builds dist/ first);
 * returns the tarball's path and the file list npm reports.
 */
export async function pack(
  dir: 'tandem' | 'vigil',
  destination: string,
): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await runOk('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: join(REPO, 'packages', dir),
  });
  // prepack's own output comes first; npm's JSON report is the last thing printed.
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const [entry] = report;
  if (entry === undefined) throw new Error(`npm pack printed no report:\n${stdout}`);
  return { tarball: join(destination, entry.filename), files: entry.files.map((file) => file.path) };
}

/** A fresh temporary directory, removed by `cleanup`. */
export function scratch(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
