/**
 * The one place a backend is chosen: a location (location.ts) becomes the Storage that holds
 * its files. Nothing else in vigil branches on the kind of repository.
 */
import { UsageError } from '../errors.js';
import { LocalStorage } from './local-storage.js';
import { formatRepositoryLocation, parseRepositoryLocation, type RepositoryLocation } from './location.js';
import { noteOpened } from './opened.js';
import type { Storage } from './storage.js';

/** Opens the storage at `location` (parsed, or as the user gave it). */
export async function openStorage(location: RepositoryLocation | string): Promise<Storage> {
  const parsed = typeof location === 'string' ? parseRepositoryLocation(location) : location;
  switch (parsed.kind) {
    case 'local':
      return new LocalStorage(parsed.path);
    case 'sftp': {
      const { SftpStorage } = await import('./sftp-storage.js');
      return noteOpened(await SftpStorage.open(parsed));
    }
    case 's3':
      throw new UsageError(
        `${formatRepositoryLocation(parsed)}: this vigil does not reach ${parsed.kind} repositories yet; ` +
          'give a local path (or a mounted network folder)',
      );
  }
}
