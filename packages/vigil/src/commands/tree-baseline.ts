/**
 * What the commands on a tree and its baseline share (baseline, check, accept; status for
 * the location): the options that name the tree, its database and its keys, and what a scan
 * compares the tree with when a baseline is already there. A module of its own so that no
 * command imports another.
 */
import { alwaysExcluded, checkRoot, resolveDbPath } from '../baseline/location.js';
import type { ScanTreeOptions } from '../baseline/scan-tree.js';
import type { BaselineReader } from '../baseline/store.js';

/** Where the tree and its baseline database are. */
export interface LocationOptions {
  /** The tree's root (default: the current directory). */
  readonly dir?: string;
  /** The baseline database (default: DIR/.vigil/baseline.db). */
  readonly db?: string;
}

/** The options of a command that scans the tree on a pool of workers. */
export interface ScanCommandOptions extends LocationOptions {
  readonly jobs?: string;
  readonly progress?: boolean;
}

export interface SignOptions {
  /** An Ed25519 private key (PEM): sign the baseline written (baseline/signature.ts). */
  readonly signKey?: string;
}

export interface VerifyOptions {
  /** An Ed25519 public key (PEM): refuse a baseline that does not match its signature. */
  readonly verifyKey?: string;
}

/** The tree's root (checked to be a directory) and the path of its baseline database. */
export function locateBaseline(options: LocationOptions): { root: string; dbPath: string } {
  const root = checkRoot(options.dir);
  return { root, dbPath: resolveDbPath(root, options.db) };
}

/**
 * The part of a scan's options that compares the tree with an existing baseline (check,
 * accept): its excludes, its rows, and its scan start as the racy-timestamp reference.
 */
export function scanAgainst(
  reader: BaselineReader,
  root: string,
  dbPath: string,
): Pick<ScanTreeOptions, 'root' | 'excludes' | 'alwaysExcluded' | 'stored' | 'recordedAtNs'> {
  return {
    root,
    excludes: reader.meta.excludes,
    alwaysExcluded: alwaysExcluded(root, dbPath),
    stored: reader.entries(),
    recordedAtNs: reader.meta.scanStartedNs,
  };
}
