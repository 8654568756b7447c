/** What `vigil hash` reports, one record per entry, before any printer turns it into text or JSON. */

import type { AlgorithmName } from '../checksums/algorithms.js';
import type { SkipReason } from '../fs/walk.js';

export type EntryRecord =
  | { readonly type: 'file'; readonly path: Buffer; readonly digest: Buffer; readonly size: number }
  /** Could not be read, listed, or changed while read (`code` ECHANGED). Makes the exit code 1. */
  | { readonly type: 'error'; readonly path: Buffer; readonly code: string; readonly message: string }
  /** Deliberately not read: FIFOs, sockets, devices, symlinks without --follow, loops. */
  | { readonly type: 'skipped'; readonly path: Buffer; readonly reason: SkipReason };

export type CheckStatus = 'ok' | 'failed' | 'unreadable';

/** One verified line of a manifest (--check). */
export interface CheckRecord {
  readonly type: 'check';
  readonly path: Buffer;
  readonly algorithm: AlgorithmName;
  readonly status: CheckStatus;
  readonly expected: string;
  /** The digest computed, when the file could be read. */
  readonly actual?: string;
  /** Why it could not be read. */
  readonly code?: string;
  readonly message?: string;
}

export interface HashSummary {
  readonly files: number;
  readonly bytes: number;
  readonly errors: number;
  readonly skipped: number;
}

export interface CheckSummary {
  ok: number;
  failed: number;
  unreadable: number;
  malformed: number;
  missingIgnored: number;
}
