/**
 * What changed between a baseline and a scan: pure functions, no I/O.
 *
 * `compareEntry` decides for one key (a baseline row, what the scan found, or both).
 * Additions and removals are held back and settled at the end by `settleAddedRemoved`,
 * because only then is it known whether an addition is a removal under a new path (moved:
 * same content) or the same path with another type (a file replaced by a directory has the
 * key `x` in the baseline and `x/` in the scan). Everything else streams as found.
 * `compareTrees` composes the two over whole lists, for tests and small callers.
 */
import { type EntryState, keyOf } from './entry.js';

/** `xattrs`: extended attributes (POSIX ACLs, file capabilities, SELinux labels among them; see xattr-changes.ts). */
export type MetadataField = 'mode' | 'owner' | 'type' | 'target' | 'xattrs';

export type Change =
  | { readonly kind: 'added'; readonly path: Buffer; readonly after: EntryState }
  | { readonly kind: 'removed'; readonly path: Buffer; readonly before: EntryState }
  | { readonly kind: 'modified'; readonly path: Buffer; readonly before: EntryState; readonly after: EntryState }
  | {
      readonly kind: 'moved';
      readonly path: Buffer;
      readonly from: Buffer;
      readonly before: EntryState;
      readonly after: EntryState;
    }
  | {
      readonly kind: 'metadata';
      readonly path: Buffer;
      readonly fields: readonly MetadataField[];
      readonly before: EntryState;
      readonly after: EntryState;
    }
  | { readonly kind: 'touched'; readonly path: Buffer; readonly before: EntryState; readonly after: EntryState }
  | { readonly kind: 'unreadable'; readonly path: Buffer; readonly code: string; readonly message: string }
  | { readonly kind: 'unstable'; readonly path: Buffer };

export type ChangeKind = Change['kind'];

/** The report's groups, in the order they are printed. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  'added',
  'removed',
  'modified',
  'moved',
  'metadata',
  'touched',
  'unreadable',
  'unstable',
];

/** What the scan found at one path. */
export type Scanned =
  | { readonly kind: 'state'; readonly state: EntryState }
  | {
      readonly kind: 'unreadable';
      readonly path: Buffer;
      readonly state?: EntryState;
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: 'unstable'; readonly path: Buffer; readonly state?: EntryState };

/** Changes at one key. `stored` and `scanned` share a key when both are given. */
export function compareEntry(stored: EntryState | undefined, scanned: Scanned | undefined): Change[] {
  if (scanned?.kind === 'unreadable') {
    return [{ kind: 'unreadable', path: scanned.path, code: scanned.code, message: scanned.message }];
  }
  if (scanned?.kind === 'unstable') return [{ kind: 'unstable', path: scanned.path }];
  const after = scanned?.state;
  if (stored === undefined) return after === undefined ? [] : [{ kind: 'added', path: after.path, after }];
  if (after === undefined) return [{ kind: 'removed', path: stored.path, before: stored }];
  return compareStates(stored, after);
}

function compareStates(before: EntryState, after: EntryState): Change[] {
  const path = after.path;
  const changes: Change[] = [];
  const fields = metadataFields(before, after);
  if (before.type === 'file' && after.type === 'file') {
    // A baseline row without a hash (unreadable then) cannot vouch for the content now.
    const same = before.digest !== undefined && after.digest !== undefined && before.digest.equals(after.digest);
    if (!same) changes.push({ kind: 'modified', path, before, after });
    else if (before.mtimeNs !== after.mtimeNs) changes.push({ kind: 'touched', path, before, after });
  }
  if (fields.length > 0) changes.push({ kind: 'metadata', path, fields, before, after });
  return changes;
}

/**
 * Which recorded attributes differ. Directories' mtimes and sizes move with their contents:
 * not reported. Extended attributes are compared only where both sides know them (see
 * EntryState.xattrs).
 */
export function metadataFields(before: EntryState, after: EntryState): MetadataField[] {
  const fields: MetadataField[] = [];
  if (before.mode !== after.mode) fields.push('mode');
  if (before.uid !== after.uid || before.gid !== after.gid) fields.push('owner');
  if (before.type !== after.type) fields.push('type');
  else if (before.type === 'symlink' && !sameBytes(before.target, after.target)) fields.push('target');
  if (before.xattrs !== undefined && after.xattrs !== undefined && !before.xattrs.equals(after.xattrs)) {
    fields.push('xattrs');
  }
  return fields;
}

/**
 * Settles the additions and removals held back during a scan: a removal and an addition
 * of the same path (another type) become a `metadata` type change; a removed file and an
 * added file with the same content become `moved`; the rest stay added and removed.
 * Empty files are not paired (any two are "the same content", which says nothing).
 */
export function settleAddedRemoved(added: readonly EntryState[], removed: readonly EntryState[]): Change[] {
  const out: Change[] = [];
  const removedByPath = new Map<string, EntryState>();
  for (const entry of removed) removedByPath.set(entry.path.toString('latin1'), entry);
  const stillAdded: EntryState[] = [];
  for (const after of added) {
    const name = after.path.toString('latin1');
    const before = removedByPath.get(name);
    if (before === undefined) {
      stillAdded.push(after);
      continue;
    }
    removedByPath.delete(name);
    out.push({ kind: 'metadata', path: after.path, fields: metadataFields(before, after), before, after });
  }
  const movable = new Map<string, EntryState[]>();
  for (const before of removedByPath.values()) {
    if (before.type !== 'file' || before.digest === undefined || before.size === 0n) continue;
    const key = before.digest.toString('latin1');
    const list = movable.get(key);
    if (list) list.push(before);
    else movable.set(key, [before]);
  }
  const movedFrom = new Set<EntryState>();
  for (const after of stillAdded) {
    const candidates = after.type === 'file' && after.digest ? movable.get(after.digest.toString('latin1')) : undefined;
    const before = candidates?.shift();
    if (before === undefined) {
      out.push({ kind: 'added', path: after.path, after });
      continue;
    }
    movedFrom.add(before);
    out.push({ kind: 'moved', path: after.path, from: before.path, before, after });
  }
  for (const before of removedByPath.values()) {
    if (!movedFrom.has(before)) out.push({ kind: 'removed', path: before.path, before });
  }
  return out;
}

/** The whole comparison over two lists (any order): for tests and callers holding both in memory. */
export function compareTrees(baseline: readonly EntryState[], scan: readonly Scanned[]): Change[] {
  const stored = new Map<string, EntryState>();
  for (const entry of baseline) stored.set(keyOf(entry.path, entry.type).toString('latin1'), entry);
  const changes: Change[] = [];
  const added: EntryState[] = [];
  const removed: EntryState[] = [];
  const take = (list: Change[]) => {
    for (const change of list) {
      if (change.kind === 'added') added.push(change.after);
      else if (change.kind === 'removed') removed.push(change.before);
      else changes.push(change);
    }
  };
  for (const found of scan) {
    const key = found.kind === 'state' ? keyOf(found.state.path, found.state.type) : found.path;
    const name = key.toString('latin1');
    const before = stored.get(name) ?? (found.kind === 'state' ? undefined : stored.get(`${name}/`));
    if (before) stored.delete(keyOf(before.path, before.type).toString('latin1'));
    take(compareEntry(before, found));
  }
  for (const before of stored.values()) take(compareEntry(before, undefined));
  return [...changes, ...settleAddedRemoved(added, removed)];
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}
