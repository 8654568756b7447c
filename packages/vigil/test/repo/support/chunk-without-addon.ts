/**
 * Run with VIGIL_NATIVE=0 by test/repo/data-ranges.test.ts: prints, as JSON, whether the native
 * chunk loop is in use, the data ranges of the file argv[2] (of size argv[3]), and the chunk
 * boundaries of pseudo-random bytes, so the test can compare them with the addon's.
 */
import { closeSync, openSync } from 'node:fs';
import { chunkBoundaries } from '../../../src/repo/chunker.js';
import { gearTable } from '../../../src/repo/chunker-params.js';
import { nativeChunkScan } from '../../../src/repo/chunker-scan.js';
import { dataRanges } from '../../../src/repo/data-ranges.js';
import { randomBytesFrom, seedOf } from '../random-bytes.js';

const [path, size] = [process.argv[2]!, Number(process.argv[3])];
const fd = openSync(path, 'r');
const ranges = dataRanges(fd, size);
closeSync(fd);
const boundaries = chunkBoundaries(gearTable(seedOf('fallback')), randomBytesFrom('fallback', 16 << 20));
process.stdout.write(JSON.stringify({ native: nativeChunkScan() !== undefined, ranges, boundaries }));
