/**
 * The progress bar's bytes move while one big file is read: readers count the pieces of big
 * files into a shared counter as they read them (fs/reading-bytes.ts), and the bar adds that
 * count to the sizes of the files done, never going backwards.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ARENA_BYTES, eachHash, eachRead } from '../src/fs/batch-reads.js';
import { FileListBuilder } from '../src/fs/file-list.js';
import type { FileReader } from '../src/fs/file-reader.js';
import { JsReader } from '../src/fs/js-reader.js';
import { type NativeAddon, nativeAddon } from '../src/fs/native-addon.js';
import { NativeReader } from '../src/fs/reader.js';
import { createReadingCounter, type ReadingCounter, readingBytes } from '../src/fs/reading-bytes.js';
import { RECORD_SLOTS, ReadKind, STAT_SLOTS } from '../src/fs/records.js';
import { terminalProgress } from '../src/report/progress.js';
import { tempDir } from './helpers.js';
import { observedOps } from './support/observed-reader.mjs';

const require = createRequire(import.meta.url);
/** The addon built with its reads observed (test/native): a file named *shrinks is truncated after its first read. */
const observedAddon = (): NativeAddon => require('./native/build/Release/vigil_native_observed.node');

const MiB = 1024 * 1024;

/** A terminal for the bar: keeps what it is given and tells each write. */
class FakeTerminal extends Writable {
  readonly isTTY = true;
  readonly columns = 120;
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.emit('drew');
    done();
  }
  /** The sizes the bar has shown so far, in bytes, frame by frame. */
  sizes(): number[] {
    const units: Record<string, number> = { B: 1, KiB: 1024, MiB };
    return [...this.text.matchAll(/files \| ([\d.]+) (B|KiB|MiB) \|/g)].map(
      ([, value, unit]) => Number(value) * (units[unit as string] as number),
    );
  }
  /** Waits until the bar shows `size` bytes (each frame comes from the bar's own clock). */
  async shows(size: number): Promise<void> {
    while (!this.sizes().includes(size)) await once(this, 'drew');
  }
  /** Waits for the next frame the bar draws and returns the size it shows. */
  async nextSize(): Promise<number> {
    const seen = this.sizes().length;
    while (this.sizes().length === seen) await once(this, 'drew');
    return this.sizes()[seen] as number;
  }
}

describe('the progress bar and the reading count', () => {
  it('shows the bytes read of a file still being read, then its size, and never goes backwards', async () => {
    const terminal = new FakeTerminal();
    const progress = terminalProgress(terminal as unknown as NodeJS.WriteStream);
    progress.found(2);
    progress.walkDone();
    let reading = 3 * MiB;
    progress.watchReading(() => reading);
    await terminal.shows(3 * MiB);
    // The worker took the big file's pieces off the count before its size reached the bar.
    reading = 0;
    progress.fileDone(1 * MiB);
    assert.equal(await terminal.nextSize(), 3 * MiB, 'the bar went back to the sizes of the files done');
    progress.fileDone(5 * MiB);
    await terminal.shows(6 * MiB);
    progress.stop();
    const sizes = terminal.sizes();
    for (let i = 1; i < sizes.length; i++) {
      assert.ok((sizes[i] as number) >= (sizes[i - 1] as number), `the bar went back: ${sizes.join(', ')}`);
    }
  });
});

const READERS: { name: string; plain: () => FileReader; observed: () => FileReader }[] = [
  {
    name: 'native',
    plain: () => new NativeReader(nativeAddon()!),
    observed: () => new NativeReader(observedAddon()),
  },
  { name: 'JavaScript', plain: () => new JsReader(), observed: () => new JsReader(observedOps()) },
];

for (const { name, plain, observed } of READERS)
  describe(`the ${name} reader counts the pieces of big files`, () => {
    let dir: { path: string; cleanup: () => void };
    const at = (file: string) => join(dir.path, file);
    before(() => {
      dir = tempDir();
    });
    after(() => dir.cleanup());

    /** One hashFiles call over `names` with a 64-byte arena and a reading count. */
    function hashFiles(reader: FileReader, names: string[], reading: ReadingCounter): Float64Array {
      const list = new FileListBuilder();
      for (const file of names) list.add(Buffer.from(at(file)), 0, dir.path.length + 1);
      const records = new Float64Array(names.length * RECORD_SLOTS);
      const buffers = {
        cursor: new Uint32Array(2),
        arena: Buffer.alloc(64),
        records,
        stats: new BigInt64Array(names.length * STAT_SLOTS),
        reading,
      };
      const digests = new Uint8Array(names.length * 32);
      reader.hashFiles(list.build(), buffers, Infinity, { algorithm: 'SHA256', digests, byteBudget: Infinity });
      return records;
    }

    it('hashFiles leaves a file read whole in the count (the caller takes it off) and skips files of one piece', () => {
      writeFileSync(at('big'), Buffer.alloc(5000, 1));
      writeFileSync(at('small'), Buffer.alloc(64, 2));
      const reading = createReadingCounter();
      const records = hashFiles(plain(), ['big', 'small'], reading);
      assert.equal(records[0], ReadKind.read);
      assert.equal(records[RECORD_SLOTS], ReadKind.read);
      assert.equal(readingBytes(reading), 5000);
    });

    it('hashFiles takes back the pieces of a file that changed while it was read', () => {
      writeFileSync(at('big-shrinks'), Buffer.alloc(5000, 1));
      const reading = createReadingCounter();
      const records = hashFiles(observed(), ['big-shrinks'], reading);
      assert.equal(records[0], ReadKind.changed);
      assert.equal(readingBytes(reading), 0);
    });

    it('eachHash takes a big file off the count before its outcome is visited', () => {
      writeFileSync(at('huge'), Buffer.alloc(ARENA_BYTES + 4096, 3));
      const list = new FileListBuilder();
      list.add(Buffer.from(at('huge')), 0, dir.path.length + 1);
      const reading = createReadingCounter();
      const seen: number[] = [];
      const options = { deferAbove: Infinity, algorithm: 'SHA256', digests: new Uint8Array(32), reading };
      eachHash(plain(), list.build(), options, (_, outcome) => {
        assert.equal(outcome.kind, 'read');
        seen.push(readingBytes(reading));
      });
      assert.deepEqual(seen, [0]);
    });

    it('a big file streamed by eachRead counts each piece while it is read, and none once done', () => {
      writeFileSync(at('streamed'), Buffer.alloc(2 * ARENA_BYTES + 100, 4));
      const list = new FileListBuilder();
      list.add(Buffer.from(at('streamed')), 0, dir.path.length + 1);
      const reading = createReadingCounter();
      const during: number[] = [];
      eachRead(plain(), list.build(), { deferAbove: Infinity, reading }, (_, outcome) => {
        assert.equal(outcome.kind, 'large');
        if (outcome.kind !== 'large') return;
        const failure = outcome.file.read(() => {
          during.push(readingBytes(reading));
        });
        assert.equal(failure, undefined);
      });
      assert.deepEqual(during, [0, ARENA_BYTES, 2 * ARENA_BYTES]);
      assert.equal(readingBytes(reading), 0);
    });
  });
