/**
 * Finding an entry's parent directory beneath its source, as a descriptor, with no symlink
 * followed (metadata capture works relative to it: store-entries.ts). With the native addon it
 * is one openat2 per directory (native/beneath.c); without it, JsResolver opens one component
 * at a time through /proc/self/fd, which cost a backup's workers about 0.2 s of CPU each on
 * /usr/share's 3,600 directories (each batch resolves again the directories it meets).
 */
import { MetaCallError } from '../repo/meta-errors.js';
import { type DirectoryOpener, JsResolver } from './js-resolver.js';
import { type NativeAddon, nativeAddon } from './native-addon.js';

/** A resolver for capture: the addon's opener where it is built. */
export function parentResolver(): JsResolver {
  const addon = nativeAddon();
  return addon?.openDirBeneath === undefined ? new JsResolver() : new JsResolver(nativeOpener(addon));
}

function nativeOpener(addon: NativeAddon): DirectoryOpener {
  return {
    open(rootFd, dir) {
      const fd = addon.openDirBeneath(rootFd, dir);
      if (fd < 0) throw new MetaCallError('open', dir, -fd);
      return fd;
    },
    // Opened by the addon, so closed by it: node:fs's closeSync warns about such a descriptor in a worker.
    close: (fd) => addon.closeDescriptor(fd),
  };
}
