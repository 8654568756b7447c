/**
 * A child for restore-owners.test.ts and restore-js.test.ts: restores node records (one JSON
 * record per line of the file argv[3]) into TARGET (argv[2]), each file's contents "data", and
 * prints the notices as JSON. The tests run it without privileges, to see what restore does
 * when not root, and with VIGIL_NATIVE=0, to see what it does without the native addon.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { decodeNode } from '../../src/repo/metadata-codec.js';
import { EntryRestorer, type RestoreNotice } from '../../src/repo/restore-entry.js';

const [target, recordsFile] = process.argv.slice(2) as [string, string];
const targetFd = openSync(target, constants.O_RDONLY | constants.O_DIRECTORY);
const notices: { kind: string; name: string; message: string }[] = [];
const onNotice = (notice: RestoreNotice) => notices.push({ ...notice, name: notice.name.toString() });
const restorer = new EntryRestorer(targetFd, { onNotice });
for (const line of readFileSync(recordsFile, 'utf8').split('\n').filter(Boolean)) {
  const directory = await restorer.restoreEntry(targetFd, decodeNode(line), (fd) => {
    writeSync(fd, 'data');
  });
  directory?.finish();
}
closeSync(targetFd);
process.stdout.write(JSON.stringify(notices));
