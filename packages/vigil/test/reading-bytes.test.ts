/**
 * The progress bar's bytes move while one big file is read: readers count the pieces of big
 * files into a shared counter as they read them (fs/reading-bytes.ts), and the bar adds that
 * count to the sizes of the files done, never going backwards.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { terminalProgress } from '../src/report/progress.js';

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
