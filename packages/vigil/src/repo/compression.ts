/**
 * Compression of one blob before it is sealed (docs/format-v2-crypto.md, "Compression
 * framing"). A blob's plaintext is framed as one of:
 *
 *   0x00 || raw bytes                                stored as it is
 *   0x01 || raw length (u32 little-endian) || frame  one zstd frame whose header records the
 *                                                    same content size, no dictionary
 *
 * Modes: 'off' always stores; 'auto' compresses at AUTO_LEVEL and keeps the frame only when it
 * saves at least 1/32 of the blob (3.1%), so already-compressed data (JPEG, .gz, .deb) is
 * stored as it is and costs nothing to restore; 'max' compresses at MAX_LEVEL and keeps the
 * frame whenever it is smaller at all.
 *
 * Decoding trusts nothing: the raw length must be the one the caller recorded for the blob
 * (or at most a limit it gives), the frame's header must agree before any decompressor runs,
 * and the decompressor may produce exactly that many bytes and no more. A tampered blob cannot
 * make us allocate more than the recorded size.
 */
import { VigilError } from '../errors.js';
import type { ZstdBackend } from './zstd.js';

export type CompressionMode = 'auto' | 'off' | 'max';
export const COMPRESSION_MODES: readonly CompressionMode[] = ['auto', 'off', 'max'];

/** zstd's levels for 'auto' and 'max' (measured: docs/benchmarks.md, "vigil repository format 2: codec"). */
export const AUTO_LEVEL = 2;
export const MAX_LEVEL = 15;

export const STORED = 0x00;
export const ZSTD = 0x01;
const ZSTD_HEADER_BYTES = 5;
/** The largest raw length the framing can record. */
export const MAX_RAW_LENGTH = 0xffff_ffff;
/** 'auto' keeps a frame only if it is at most this much of the blob: it must save 1/32. */
const AUTO_KEEP_RATIO = 31 / 32;

/** An encoded blob cannot be decoded: an unknown method, lengths that disagree, a bad zstd frame. */
export class BlobDecodeError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_BLOB_DECODE', message, options);
  }
}

/** How a decode is bounded: the recorded raw length, or at least a limit on it. */
export type RawLengthBound = { readonly rawLength: number } | { readonly maxRawLength: number };

export interface BlobCodec {
  /** Which zstd compresses (for benchmarks and diagnostics). */
  readonly zstd: ZstdBackend['name'];
  /** `plain` framed (compressed or stored) as `mode` says. */
  encode(plain: Uint8Array, mode: CompressionMode): Buffer;
  /** The plaintext of an encoded blob, bounded by `bound`; throws BlobDecodeError. */
  decode(encoded: Uint8Array, bound: RawLengthBound): Buffer;
}

/** A codec over `zstd` (from loadZstd() in zstd.ts). */
export function createBlobCodec(zstd: ZstdBackend): BlobCodec {
  return {
    zstd: zstd.name,
    encode: (plain, mode) => encodeBlob(zstd, plain, mode),
    decode: (encoded, bound) => decodeBlob(zstd, encoded, bound),
  };
}

function encodeBlob(zstd: ZstdBackend, plain: Uint8Array, mode: CompressionMode): Buffer {
  if (!COMPRESSION_MODES.includes(mode)) throw new TypeError(`unknown compression mode ${JSON.stringify(mode)}`);
  if (plain.length > MAX_RAW_LENGTH) throw new RangeError(`a blob is at most ${MAX_RAW_LENGTH} bytes`);
  if (mode !== 'off') {
    const frame = zstd.compress(plain, mode === 'max' ? MAX_LEVEL : AUTO_LEVEL);
    const keepUpTo = mode === 'max' ? plain.length : plain.length * AUTO_KEEP_RATIO;
    if (ZSTD_HEADER_BYTES + frame.length <= keepUpTo) {
      const out = Buffer.allocUnsafe(ZSTD_HEADER_BYTES + frame.length);
      out[0] = ZSTD;
      out.writeUInt32LE(plain.length, 1);
      frame.copy(out, ZSTD_HEADER_BYTES);
      return out;
    }
  }
  const out = Buffer.allocUnsafe(1 + plain.length);
  out[0] = STORED;
  out.set(plain, 1);
  return out;
}

function decodeBlob(zstd: ZstdBackend, encoded: Uint8Array, bound: RawLengthBound): Buffer {
  const exact = 'rawLength' in bound ? bound.rawLength : undefined;
  const limit = exact ?? (bound as { maxRawLength: number }).maxRawLength;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`bad raw length bound ${limit}`);
  if (encoded.length < 1) throw new BlobDecodeError('the blob is empty: it lacks even its 1-byte method');
  const bytes = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.length);
  const checkLength = (rawLength: number) => {
    if (exact !== undefined && rawLength !== exact) {
      throw new BlobDecodeError(`the blob holds ${rawLength} bytes, but ${exact} are recorded for it`);
    }
    if (rawLength > limit) throw new BlobDecodeError(`the blob claims ${rawLength} bytes, over the limit ${limit}`);
  };
  if (bytes[0] === STORED) {
    checkLength(bytes.length - 1);
    return bytes.subarray(1);
  }
  if (bytes[0] !== ZSTD) {
    throw new BlobDecodeError(`unknown compression method 0x${bytes.readUInt8(0).toString(16).padStart(2, '0')}`);
  }
  if (bytes.length < ZSTD_HEADER_BYTES) throw new BlobDecodeError('the blob is truncated inside its zstd header');
  const rawLength = bytes.readUInt32LE(1);
  checkLength(rawLength);
  const frame = bytes.subarray(ZSTD_HEADER_BYTES);
  const header = readFrameHeader(frame);
  if (typeof header === 'string') throw new BlobDecodeError(`bad zstd frame: ${header}`);
  if (header.contentSize !== rawLength) {
    throw new BlobDecodeError(`the zstd frame says ${header.contentSize} bytes, the blob ${rawLength}`);
  }
  try {
    return zstd.decompress(frame, rawLength);
  } catch (error) {
    throw new BlobDecodeError(`the zstd frame does not decode to ${rawLength} bytes (${(error as Error).message})`, {
      cause: error,
    });
  }
}

const ZSTD_MAGIC = 0xfd2fb528;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4];
const CONTENT_SIZE_BYTES = [0, 2, 4, 8];

/**
 * The content size a zstd frame header records (RFC 8878, section 3.1.1.1), or why it is not
 * one we accept: we write every frame with its content size and without a dictionary.
 */
export function readFrameHeader(frame: Buffer): { contentSize: number } | string {
  if (frame.length < 6) return 'shorter than a frame header';
  if (frame.readUInt32LE(0) !== ZSTD_MAGIC) return 'no zstd magic number';
  const descriptor = frame.readUInt8(4);
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  if ((descriptor >> 3) & 1) return 'the reserved bit is set';
  if (DICTIONARY_ID_BYTES[descriptor & 3] !== 0) return 'it needs a dictionary';
  const sizeBytes = contentSizeFlag === 0 ? singleSegment : CONTENT_SIZE_BYTES[contentSizeFlag]!;
  if (sizeBytes === 0) return 'it does not record its content size';
  const at = 5 + (singleSegment ? 0 : 1);
  if (frame.length < at + sizeBytes) return 'truncated inside its header';
  switch (sizeBytes) {
    case 1:
      return { contentSize: frame.readUInt8(at) };
    case 2:
      return { contentSize: frame.readUInt16LE(at) + 256 };
    case 4:
      return { contentSize: frame.readUInt32LE(at) };
    default: {
      const size = frame.readBigUInt64LE(at);
      return size > BigInt(MAX_RAW_LENGTH) ? 'its content size is over 4 GiB' : { contentSize: Number(size) };
    }
  }
}
