/**
 * What commands set up alike: the algorithm, the progress bar and the colours (what Ctrl-C
 * undoes is interrupt.ts's).
 */
import picocolors from 'picocolors';
import { ALGORITHMS, type AlgorithmName, isAlgorithmName } from '../checksums/algorithms.js';
import { UsageError } from '../errors.js';
import type { Colors } from '../report/change-text-printer.js';
import { type Progress, silentProgress, terminalProgress } from '../report/progress.js';

export function resolveAlgorithm(name: string | undefined, fallback: AlgorithmName = 'blake3'): AlgorithmName {
  if (name === undefined) return fallback;
  const lower = name.toLowerCase();
  if (!isAlgorithmName(lower)) throw new UsageError(`unknown algorithm "${name}": use one of ${ALGORITHMS.join(', ')}`);
  return lower;
}

/** A bar on stderr only when it is a terminal and not turned off. */
export function createProgress(enabled: boolean | undefined): Progress {
  return enabled !== false && process.stderr.isTTY === true
    ? terminalProgress(process.stderr)
    : silentProgress(process.stderr);
}

/** Colours on a terminal, unless NO_COLOR is set to anything non-empty (no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Colors {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return picocolors.createColors(stream.isTTY === true && !noColor);
}
