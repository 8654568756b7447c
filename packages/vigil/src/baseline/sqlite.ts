/**
 * better-sqlite3 is an optional dependency: it is compiled at install time, and npm skips it
 * where that fails, so that `vigil hash` and `vigil backup` still install without a compiler.
 * Baselines load it here, on first use, and turn "not installed" or "not built for this
 * Node.js" into one error that says what to do.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteUnavailableError } from '../errors.js';

export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement;
type DatabaseConstructor = typeof BetterSqlite3;

const require = createRequire(import.meta.url);
let loaded: DatabaseConstructor | undefined;

/** better-sqlite3's Database class; throws SqliteUnavailableError if it cannot be used here. */
export function sqliteDatabase(): DatabaseConstructor {
  if (loaded === undefined) {
    try {
      const Database = require('better-sqlite3') as DatabaseConstructor;
      // Its compiled part loads with the first database: try one now, so a missing or
      // mismatched build is told apart from a damaged baseline file.
      new Database(':memory:').close();
      loaded = Database;
    } catch (error) {
      throw new SqliteUnavailableError(error);
    }
  }
  return loaded;
}
