/**
 * Which entries of a snapshot a restore makes: the PATHs asked for (everything when none),
 * narrowed by `--include` patterns (only what matches, with what it holds) and `--exclude`
 * patterns (never what matches, nor what it holds). Patterns have gitignore syntax, as
 * backup's --exclude, and match paths relative to the snapshot's root: `*.conf` anywhere,
 * `/etc/ssh` that directory only.
 *
 * A directory that is not chosen itself but may hold chosen entries is searched: restore
 * looks inside and makes it (with its recorded metadata) only when something in it is made.
 */
import { isWithin } from '../fs/containment.js';
import { ExcludeRules } from '../fs/exclude-rules.js';

/** 'all': restore it and what it holds; 'search': a directory to look into; 'no': skip it. */
export type Scope = 'all' | 'search' | 'no';

export interface SelectionOptions {
  /** Absolute paths inside the snapshot; empty: everything. */
  readonly only: readonly Buffer[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export class RestoreSelection {
  readonly #only: readonly Buffer[];
  readonly #include: ExcludeRules | undefined;
  readonly #exclude: ExcludeRules | undefined;

  constructor(options: SelectionOptions) {
    this.#only = options.only;
    this.#include = options.include.length > 0 ? new ExcludeRules(options.include) : undefined;
    this.#exclude = options.exclude.length > 0 ? new ExcludeRules(options.exclude) : undefined;
  }

  /** The scope of the snapshot's root directory. */
  get rootScope(): Scope {
    return this.#only.length === 0 && this.#include === undefined ? 'all' : 'search';
  }

  /** Whether anything narrows the restore (hard links then may point outside it). */
  get isPartial(): boolean {
    return this.rootScope !== 'all' || this.#exclude !== undefined;
  }

  /** The scope of the entry at absolute `path`, in a directory of scope `parent`. */
  scope(path: Buffer, isDirectory: boolean, parent: Scope): Scope {
    if (parent === 'no') return 'no';
    if (this.#exclude?.excludes(relative(path), isDirectory)) return 'no';
    if (parent === 'all') return 'all';
    const place = this.#place(path);
    if (place === 'outside') return 'no';
    if (place === 'inside' && (this.#include === undefined || this.#include.excludes(relative(path), isDirectory)))
      return 'all';
    return isDirectory ? 'search' : 'no';
  }

  /**
   * Whether the entry at `path` is restored, judged from its path alone (for hard links,
   * whose first name may be anywhere in the snapshot): every directory above it searched.
   */
  restores(path: Buffer, isDirectory: boolean): boolean {
    let scope: Scope = this.rootScope;
    let at = path.indexOf(0x2f, 1);
    while (at !== -1 && scope !== 'no') {
      scope = this.scope(path.subarray(0, at), true, scope);
      at = path.indexOf(0x2f, at + 1);
    }
    return this.scope(path, isDirectory, scope) === 'all';
  }

  #place(path: Buffer): 'inside' | 'above' | 'outside' {
    if (this.#only.length === 0) return 'inside';
    let above = false;
    for (const chosen of this.#only) {
      if (isWithin(path, chosen)) return 'inside';
      if (isWithin(chosen, path)) above = true;
    }
    return above ? 'above' : 'outside';
  }
}

/** `path` without its leading '/', as the rules match it (a byte that is not UTF-8 matches as U+FFFD). */
function relative(path: Buffer): string {
  return path.toString('utf8').slice(1);
}
