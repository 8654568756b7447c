/**
 * What `vigil backup` reads from files and sizes to choose what it backs up, with restic's
 * meanings: --exclude-file FILE and --files-from FILE (one pattern or path a line; empty lines
 * and lines starting with # are skipped; "-" reads standard input), --exclude-larger-than
 * SIZE (bytes, or with a K, M, G or T suffix, 1024-based).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** The lines of FILE that say something: no empty ones, no # comments, no trailing CR. */
export function meaningfulLines(file: string, flag: string): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`${flag} ${file}: cannot read it (${code}): check the path`);
  }
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** Every line of each --files-from FILE, as sources; a FILE that names none is refused (backing up nothing is a mistake). */
export function sourcesFromFiles(files: readonly string[]): string[] {
  return files.flatMap((file) => {
    const paths = meaningfulLines(file, '--files-from');
    if (paths.length === 0) throw new UsageError(`--files-from ${file} names no path: give one path a line`);
    return paths;
  });
}

const SIZE = /^(\d+)\s*([kmgt]?)(?:i?b)?$/i;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Bytes of a SIZE such as 500, 10K, 2M, 1G, 1T (1024-based, as restic). */
export function parseSize(text: string, flag: string): number {
  const match = SIZE.exec(text.trim());
  if (match === null) {
    throw new UsageError(`${flag} must be a size in bytes, or with a K, M, G or T suffix (e.g. 100M), got "${text}"`);
  }
  return Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] as number);
}
