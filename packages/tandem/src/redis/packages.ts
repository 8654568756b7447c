/**
 * bullmq and ioredis are optional peer dependencies: only the Redis backend uses them, so
 * users of threads, processes and inline do not install them (34 packages, one with an
 * install script). They are imported here on first use, and a missing one becomes an error
 * that names what to install instead of a bare "Cannot find package".
 */
import { RedisPackagesMissingError } from '../errors.js';

/**
 * Runs `load`: an import of bullmq and ioredis, or of a module that imports them. Rejects
 * with RedisPackagesMissingError if either is not installed.
 */
export async function importRedisPackages<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackage(error);
    if (missing !== undefined) throw new RedisPackagesMissingError(missing, { cause: error });
    throw error;
  }
}

/** Which of the two packages a failed import could not find (not a package they depend on). */
function missingPackage(error: unknown): string | undefined {
  const message = String((error as Error)?.message ?? '');
  // Node: "Cannot find package 'bullmq' imported from ..."; Bun and Deno name it the same way.
  return /Cannot find (?:package|module) ['"](bullmq|ioredis)['"]/.exec(message)?.[1];
}
