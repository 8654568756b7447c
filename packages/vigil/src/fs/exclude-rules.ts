/**
 * Exclusion rules with gitignore semantics (the `ignore` package), for `--exclude GLOB` and
 * `.vigilignore` files. Matching is case-sensitive, as git's is on Linux.
 */
import { createRequire } from 'node:module';
import type { Ignore } from 'ignore';

type IgnoreFactory = typeof import('ignore');

/**
 * `ignore`, loaded on the first match asked for: most runs give no pattern, and importing it
 * costs about 20 ms of CPU at start (Node 20 lexes the 50 KB CommonJS file for its ESM names,
 * then runs it), a tenth of `vigil hash FILE` (docs/benchmarks.md, issue 22, fourth session).
 * `require` is synchronous, as matching is.
 */
let ignoreFactory: IgnoreFactory | undefined;

/**
 * `ignore` caches every path it was asked about, which would grow without bound on a
 * million-entry tree; we never ask about a path twice (the walk prunes excluded
 * directories itself), so the matcher is rebuilt from its patterns every so often.
 */
const QUERIES_BEFORE_REBUILD = 20_000;

export class ExcludeRules {
  readonly #patterns: readonly string[];
  /** Built on the first query, so that rules made at load (cache-tag.ts) cost nothing until used. */
  #matcher: Ignore | undefined;
  #queries = 0;

  constructor(patterns: readonly string[]) {
    this.#patterns = patterns;
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
    if (this.#matcher === undefined || ++this.#queries > QUERIES_BEFORE_REBUILD) {
      this.#matcher = build(this.#patterns);
      this.#queries = 0;
    }
    return this.#matcher.ignores(isDirectory ? `${relativePath}/` : relativePath);
  }
}

function build(patterns: readonly string[]): Ignore {
  ignoreFactory ??= createRequire(import.meta.url)('ignore') as IgnoreFactory;
  return ignoreFactory({ ignorecase: false, allowRelativePaths: true }).add(patterns as string[]);
}
