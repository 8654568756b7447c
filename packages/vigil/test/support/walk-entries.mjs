/**
 * Test only: walks one operand with the built walk (dist/fs/walk.js) and the named lister
 * ("native" or "JavaScript"), and prints each entry as a line of JSON (paths as UTF-8). For
 * walks that must run in a process of their own: without privileges (permission tests).
 *   node walk-entries.mjs LISTER OPERAND
 */

import { nativeAddon } from '../../dist/fs/native-addon.js';
import { walk } from '../../dist/fs/walk.js';
import { JS_LISTER, nativeLister } from '../../dist/fs/walk-directory.js';

const [listerName, operand] = process.argv.slice(2);
const lister = listerName === 'native' ? nativeLister(nativeAddon()) : JS_LISTER;
for await (const entries of walk([Buffer.from(operand)], { follow: false, oneFileSystem: false, excludes: [], lister }))
  for (const { kind, path, code, reason } of entries)
    console.log(
      JSON.stringify({ kind, path: path.toString(), ...(code ? { code } : {}), ...(reason ? { reason } : {}) }),
    );
