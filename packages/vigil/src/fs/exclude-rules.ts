/**
 * Exclusion rules with gitignore semantics (the `ignore` package), for `--exclude GLOB` and
 * `.vigilignore` files. Matching is case-sensitive, as git's is on Linux.
 */
import ignore, { type Ignore } from 'ignore';

/**
 * `ignore` caches every path it was asked about, which would grow without bound on a
 * million-entry tree; we never ask about a path twice (the walk prunes excluded
 * directories itself), so the matcher is rebuilt from its patterns every so often.
 */
const QUERIES_BEFORE_REBUILD = 20_000;

export class ExcludeRules {
  readonly #patterns: readonly string[];
  #matcher: Ignore;
  #queries = 0;

  constructor(patterns: readonly string[]) {
    this.#patterns = patterns;
    this.#matcher = build(patterns);
  }

  /** Reads patterns from the text of a .vigilignore (or .gitignore-style) file. */
  static fromFileText(text: string): ExcludeRules {
    return new ExcludeRules(text.split(/\r?\n/));
  }

  get isEmpty(): boolean {
    return this.#patterns.every((p) => p.trim() === '' || p.startsWith('#'));
  }

  /** Whether `relativePath` (no leading `./` or `/`) is excluded. */
  excludes(relativePath: string, isDirectory: boolean): boolean {
    if (relativePath === '') return false;
    if (++this.#queries > QUERIES_BEFORE_REBUILD) {
      this.#matcher = build(this.#patterns);
      this.#queries = 0;
    }
    return this.#matcher.ignores(isDirectory ? `${relativePath}/` : relativePath);
  }
}

function build(patterns: readonly string[]): Ignore {
  return ignore({ ignorecase: false, allowRelativePaths: true }).add(patterns as string[]);
}
