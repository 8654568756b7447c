/**
 * The one place a backend is chosen: a location (location.ts) becomes the Storage that holds
 * its files. Nothing else in vigil branches on the kind of repository.
 */
import { LocalStorage } from './local-storage.js';
import { parseRepositoryLocation, type RepositoryLocation } from './location.js';
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
    case 's3': {
      const { S3Storage } = await import('./s3-storage.js');
      return noteOpened(await S3Storage.open(parsed));
    }
  }
}
