/**
 * Content-defined chunking of a byte stream that arrives in pieces (the readers hand over
 * 1 MiB at a time): `push` each piece, then `finish`; chunks come out as (offset, length,
 * bytes). A stream shorter than the minimum chunk is one chunk; an empty one has none.
 * The per-byte work is chunker-scan.ts's (native or JavaScript); this file only keeps the
 * bytes of the chunk being cut until its end is found.
 */
import { type ChunkerParams, checkChunkerParams, DEFAULT_CHUNKER_PARAMS } from './chunker-params.js';
import { type ChunkScan, chunkScan, scanArgs } from './chunker-scan.js';

/** One chunk: its place in the stream and its bytes. */
export interface Chunk {
  readonly offset: number;
  readonly length: number;
  /** Valid only until the iteration goes on (the next chunk, `push` or `finish`): copy what must outlive it. */
  readonly bytes: Buffer;
}

export interface ChunkerOptions {
  readonly params?: ChunkerParams;
  /** The per-byte loop; the addon's when it is built (benchmarks and tests pick one). */
  readonly scan?: ChunkScan;
  /** The stream's offset in its file (a data range of a sparse file starts inside it). */
  readonly startOffset?: number;
}

export class Chunker {
  readonly #gear: Uint32Array;
  readonly #params: ChunkerParams;
  readonly #args: [number, number, number, number, number];
  readonly #scan: ChunkScan;
  readonly #state = new Uint32Array(2);
  /** The bytes of the chunk being cut that came in earlier pieces. */
  #pending: Buffer = Buffer.alloc(0);
  #pendingLength = 0;
  /** Where the chunk being cut starts in the file. */
  #offset: number;

  /** `gear` is chunker-params.ts's gearTable of the repository's chunker seed. */
  constructor(gear: Uint32Array, options: ChunkerOptions = {}) {
    if (gear.length !== 512) throw new TypeError('a gear table is 256 64-bit values as 512 32-bit halves');
    this.#gear = gear;
    this.#params = options.params ?? DEFAULT_CHUNKER_PARAMS;
    checkChunkerParams(this.#params);
    this.#args = scanArgs(this.#params);
    this.#scan = options.scan ?? chunkScan();
    this.#offset = options.startOffset ?? 0;
  }

  /** The chunks that end within `piece`. The chunker keeps no reference to `piece` after its chunks are taken. */
  *push(piece: Uint8Array): Generator<Chunk> {
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let at = 0;
    while (at < bytes.length) {
      const rest = at === 0 ? bytes : bytes.subarray(at);
      const cut = this.#scan(this.#gear, this.#state, rest, this.#pendingLength, ...this.#args);
      if (cut < 0) {
        this.#keep(rest);
        return;
      }
      yield this.#emit(rest.subarray(0, cut));
      at += cut;
    }
  }

  /** The last chunk, if bytes are left; then the chunker starts over at `nextOffset` (a file's next data range). */
  *finish(nextOffset = 0): Generator<Chunk> {
    if (this.#pendingLength > 0) yield this.#emit(Buffer.alloc(0));
    this.#state.fill(0);
    this.#offset = nextOffset;
  }

  /** The chunk made of the pending bytes and `tail`: a view of `tail` alone when nothing is pending. */
  #emit(tail: Buffer): Chunk {
    let bytes = tail;
    if (this.#pendingLength > 0) {
      this.#keep(tail);
      bytes = this.#pending.subarray(0, this.#pendingLength);
    }
    const chunk = { offset: this.#offset, length: bytes.length, bytes };
    this.#offset += bytes.length;
    this.#pendingLength = 0;
    return chunk;
  }

  /** Copies `bytes` after the pending ones; the buffer grows by doubling, up to the maximum chunk size. */
  #keep(bytes: Buffer): void {
    const need = this.#pendingLength + bytes.length;
    if (need > this.#pending.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.#params.maxSize, Math.max(need, 2 * this.#pending.length)));
      this.#pending.copy(grown, 0, 0, this.#pendingLength);
      this.#pending = grown;
    }
    bytes.copy(this.#pending, this.#pendingLength);
    this.#pendingLength = need;
  }
}

/** Every chunk of `data` as (offset, length), for tests and benchmarks of a whole buffer. */
export function chunkBoundaries(
  gear: Uint32Array,
  data: Uint8Array,
  options: ChunkerOptions & { pieceSize?: number } = {},
): Array<[number, number]> {
  const chunker = new Chunker(gear, options);
  const out: Array<[number, number]> = [];
  const pieceSize = options.pieceSize ?? 1 << 20;
  for (let at = 0; at < data.length; at += pieceSize) {
    for (const c of chunker.push(data.subarray(at, at + pieceSize))) out.push([c.offset, c.length]);
  }
  for (const c of chunker.finish()) out.push([c.offset, c.length]);
  return out;
}
