/**
 * A walk started before its consumer is ready, its first blocks kept until it is. A backup with
 * a parent starts walking its sources as the command starts: opening the repository leaves the
 * main thread idle while the password's key is derived (0.2 s of another thread), and listing
 * the directories of the /usr/share copy is 0.15 s of this one; on the second backup of that
 * copy, the run's walk is its critical path. The run then takes the blocks walked so far, in
 * order, and the rest as the walk makes them.
 *
 * Not for a first backup (commands/backup.ts walks ahead only when the parent cache holds a table
 * of the sources): there the walk is a small part of the run, and the entries held while the
 * repository opens grow the main thread's young generation before young-generation.ts can hold
 * it (the peak was 20-30 MB higher).
 */
import type { WalkEntry } from './walk.js';

/** Entries walked ahead at most (the run's MAX_HELD_BATCHES of 256): past them, the walk waits for the run. */
export const MAX_ENTRIES_AHEAD = 65_536;

export class WalkAhead {
  readonly #source: AsyncIterator<WalkEntry[]>;
  readonly #maxEntries: number;
  readonly #blocks: WalkEntry[][] = [];
  #entries = 0;
  #ended = false;
  #failure: { readonly error: unknown } | undefined;
  /** Set when the consumer takes over (or stops the walk): the filling ends after its current block. */
  #taken = false;
  readonly #filling: Promise<void>;

  /** Starts pulling `blocks` now, up to `maxEntries` entries. */
  constructor(blocks: AsyncIterable<WalkEntry[]>, maxEntries = MAX_ENTRIES_AHEAD) {
    this.#source = blocks[Symbol.asyncIterator]();
    this.#maxEntries = maxEntries;
    this.#filling = this.#fill();
  }

  /** Entries walked and not yet taken. */
  get entriesAhead(): number {
    return this.#entries;
  }

  /** Settles when the walk ahead stops: at the bound, at the end of the walk, on its failure, or once taken. */
  get filled(): Promise<void> {
    return this.#filling;
  }

  /**
   * Every block of the walk, in its order: those walked ahead, then the rest. A failure of the
   * walk is thrown after the blocks before it. Once only; ending the loop early ends the walk.
   */
  async *blocks(): AsyncGenerator<WalkEntry[]> {
    if (this.#taken) throw new Error('the walk was already taken or stopped');
    this.#taken = true;
    await this.#filling;
    try {
      while (this.#blocks.length > 0) {
        const block = this.#blocks.shift() as WalkEntry[];
        this.#entries -= block.length;
        yield block;
      }
      if (this.#failure !== undefined) throw this.#failure.error;
      if (this.#ended) return;
      for (;;) {
        const next = await this.#source.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      if (!this.#ended && this.#failure === undefined) await this.#source.return?.();
    }
  }

  /** Ends the walk without taking it (the run did not start: the repository could not be opened). */
  async stop(): Promise<void> {
    if (this.#taken) return;
    this.#taken = true;
    await this.#filling;
    this.#blocks.length = 0;
    this.#entries = 0;
    if (!this.#ended && this.#failure === undefined) await this.#source.return?.();
  }

  async #fill(): Promise<void> {
    try {
      while (!this.#taken && this.#entries < this.#maxEntries) {
        const next = await this.#source.next();
        if (next.done) {
          this.#ended = true;
          return;
        }
        this.#blocks.push(next.value);
        this.#entries += next.value.length;
      }
    } catch (error) {
      this.#failure = { error };
    }
  }
}
