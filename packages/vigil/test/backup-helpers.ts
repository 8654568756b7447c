/** Helpers of the backup tests: fixture trees, tree snapshots for comparison, a CLI run stopped at a test point. */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BackupOutcome, type RunBackupOptions, runBackup } from '../src/backup/run-backup.js';
import { OBSERVED_CLI, vigil } from './helpers.js';

/** A small tree with nesting, an empty directory, a symlink, odd modes and an old mtime. */
export function makeSourceTree(root: string, files = 20): void {
  mkdirSync(join(root, 'docs', 'deep'), { recursive: true });
  mkdirSync(join(root, 'empty'));
  for (let i = 0; i < files; i++) writeFileSync(join(root, 'docs', `f${i}.txt`), `file ${i}\n`.repeat(1 + i));
  writeFileSync(join(root, 'docs', 'deep', 'leaf'), 'leaf\n');
  writeFileSync(join(root, 'script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  writeFileSync(join(root, 'private'), 'secret\n', { mode: 0o600 });
  writeFileSync(join(root, 'same-a'), 'duplicate content\n');
  writeFileSync(join(root, 'same-b'), 'duplicate content\n');
  writeFileSync(join(root, 'empty-file'), '');
  symlinkSync('docs/deep/leaf', join(root, 'link'));
  utimesSync(join(root, 'docs', 'deep', 'leaf'), 1_000_000_000, 1_000_000_000.123456);
}

export interface NodeInfo {
  readonly type: string;
  readonly mode: number;
  readonly size: number;
  /** Microseconds: what restore can carry through utimes. */
  readonly mtimeUs: bigint;
  readonly target?: string;
}

/** Every entry under root (relative path -> type, mode, size, mtime, link target). */
export function describeTree(root: string): Record<string, NodeInfo> {
  const out: Record<string, NodeInfo> = {};
  const visit = (rel: string) => {
    const path = rel === '' ? root : join(root, rel);
    const st = lstatSync(path, { bigint: true });
    const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
    out[rel || '.'] = {
      type,
      mode: Number(st.mode & 0o7777n),
      size: type === 'file' ? Number(st.size) : 0,
      mtimeUs: st.mtimeNs / 1000n,
      ...(type === 'symlink' ? { target: readlinkSync(path) } : {}),
    };
    if (type === 'dir') for (const name of readdirSync(path).sort()) visit(rel === '' ? name : `${rel}/${name}`);
  };
  visit('');
  return out;
}

export interface Stopped {
  readonly pid: number;
  /** Resolves with the exit code once the child ends (after kill, null). */
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

/**
 * Runs `vigil ...args` (with test hooks) with VIGIL_TEST_STOP_AT=point and resolves once the child announces
 * the point on stderr (or rejects if it exits first).
 */
export function runUntilPoint(args: readonly string[], point: string, env: NodeJS.ProcessEnv = {}): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OBSERVED_CLI, ...args], {
      env: { ...process.env, ...env, VIGIL_TEST_STOP_AT: point },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes(`vigil-test-point ${point}\n`)) {
        resolve({ pid: child.pid as number, exited, stderr: () => err });
      }
    });
    exited.then((code) => reject(new Error(`vigil exited (${code}) before reaching ${point}:\n${err}`)));
  });
}

/** The ids of the snapshots vigil lists, oldest first. */
export async function snapshotIds(repo: string): Promise<string[]> {
  const result = await vigil(['snapshots', repo, '--json']);
  if (result.code !== 0) throw new Error(`vigil snapshots failed: ${result.stderr}`);
  return (JSON.parse(result.stdout.toString()) as { id: string }[]).map((s) => s.id);
}

/** Total bytes of the regular files under a directory. */
export function bytesUnder(root: string): number {
  let total = 0;
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += lstatSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** The engine's backup of one source with no excludes, tags nor progress: what most engine tests run. */
export function engineBackup(
  options: Pick<RunBackupOptions, 'repo' | 'codec' | 'pool'> & Partial<RunBackupOptions> & { source: string },
): Promise<BackupOutcome> {
  const { source, ...rest } = options;
  return runBackup({
    sources: [source],
    excludes: [],
    tags: [],
    compression: 'auto',
    progress: { found() {}, walkDone() {}, fileDone() {}, log() {}, stop() {} },
    ...rest,
  });
}
