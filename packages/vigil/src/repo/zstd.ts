/**
 * The zstd compressors vigil can use, fastest first (figures: docs/benchmarks.md, "vigil
 * repository format 2: codec"):
 *
 *   native    the addon linked with the system's libzstd (native/repo_codec.c; Debian's libzstd-dev)
 *   node:zlib zstdCompressSync/zstdDecompressSync, in Node >= 22.15 (and 23.8)
 *   wasm      @bokuweb/zstd-wasm: zstd compiled to WebAssembly, in its npm tarball; runs anywhere
 *
 * All three write standard zstd frames, so each reads what any other wrote. Every decompressor
 * here is given the exact size the caller recorded and must fail rather than produce more.
 */
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { nativeAddon } from '../fs/native-addon.js';

export interface ZstdBackend {
  readonly name: 'native' | 'node:zlib' | 'wasm';
  /** One zstd frame of `data` at `level`, its content size in the frame header. */
  compress(data: Uint8Array, level: number): Buffer;
  /** The `size` bytes `frame` decodes to; throws if it decodes to any other size. */
  decompress(frame: Uint8Array, size: number): Buffer;
}

interface NativeZstd {
  zstdCompress(data: Uint8Array, level: number): Buffer;
  zstdDecompress(frame: Uint8Array, size: number): Buffer;
}

const require = createRequire(import.meta.url);

/** The addon's zstd, or undefined when the addon is missing or was built without libzstd. */
export function nativeZstd(): ZstdBackend | undefined {
  const addon = nativeAddon() as Partial<NativeZstd> | undefined;
  const { zstdCompress, zstdDecompress } = addon ?? {};
  if (zstdCompress === undefined || zstdDecompress === undefined) return undefined;
  return { name: 'native', compress: zstdCompress, decompress: zstdDecompress };
}

/** node:zlib's zstd, or undefined on a Node without it (before 22.15). */
export function nodeZlibZstd(): ZstdBackend | undefined {
  // Looked up by name: @types/node for Node 20 does not declare them.
  const api = zlib as unknown as {
    zstdCompressSync?: (data: Uint8Array, options: object) => Buffer;
    zstdDecompressSync?: (data: Uint8Array, options: object) => Buffer;
    constants: Record<string, number>;
  };
  const { zstdCompressSync, zstdDecompressSync } = api;
  const levelParam = api.constants.ZSTD_c_compressionLevel;
  if (zstdCompressSync === undefined || zstdDecompressSync === undefined || levelParam === undefined) return undefined;
  return {
    name: 'node:zlib',
    // chunkSize: one output chunk of the blob's size instead of 16 KiB pieces joined at the
    // end (2.6x faster decompression of 1 MiB blobs here); node:zlib's minimum is 64.
    compress: (data, level) =>
      zstdCompressSync(data, { params: { [levelParam]: level }, chunkSize: Math.max(data.length, 64) }),
    decompress(frame, size) {
      // maxOutputLength stops the inflation at the recorded size (ERR_BUFFER_TOO_LARGE past it).
      const out = zstdDecompressSync(frame, { maxOutputLength: Math.max(size, 1), chunkSize: Math.max(size, 64) });
      if (out.length !== size) throw new Error(`the frame decodes to ${out.length} bytes, not ${size}`);
      return out;
    },
  };
}

let wasmReady: Promise<ZstdBackend> | undefined;

/** zstd in WebAssembly (instantiated once per thread, asynchronously). */
export function wasmZstd(): Promise<ZstdBackend> {
  wasmReady ??= (async () => {
    const wasm = require('@bokuweb/zstd-wasm') as typeof import('@bokuweb/zstd-wasm');
    await wasm.init();
    return {
      name: 'wasm' as const,
      compress: (data: Uint8Array, level: number) => toBuffer(wasm.compress(data, level)),
      decompress(frame: Uint8Array, size: number) {
        // It sizes its output by the frame header's content size, which the caller (compression.ts)
        // has checked is `size`; the output is checked again here.
        const out = toBuffer(wasm.decompress(frame, { defaultHeapSize: Math.max(size, 1) }));
        if (out.length !== size) throw new Error(`the frame decodes to ${out.length} bytes, not ${size}`);
        return out;
      },
    };
  })();
  return wasmReady;
}

/** The fastest zstd this install has (see the module comment). */
export async function loadZstd(): Promise<ZstdBackend> {
  return nativeZstd() ?? nodeZlibZstd() ?? wasmZstd();
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}
