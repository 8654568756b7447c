/**
 * Sealers for the repository tests (the real one, with encryption, is built elsewhere):
 * `identitySealer` leaves bytes as they are, so a test can hand-craft any header the parser
 * must refuse; `macSealer` appends an HMAC over the kind and the bytes, so tampering shows.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BlobKind, Sealer } from '../../src/repo/pack-header.js';

export const identitySealer: Sealer = {
  seal: (plain) => Buffer.from(plain),
  open: (sealed) => Buffer.from(sealed),
};

export class TamperedError extends Error {
  override name = 'TamperedError';
}

export function macSealer(key = Buffer.alloc(32, 7)): Sealer {
  const mac = (bytes: Buffer, kind: BlobKind) => createHmac('sha256', key).update(kind).update(bytes).digest();
  return {
    seal: (plain, kind) => Buffer.concat([plain, mac(plain, kind)]),
    open: (sealed, kind) => {
      if (sealed.length < 32) throw new TamperedError('too short');
      const plain = sealed.subarray(0, sealed.length - 32);
      if (!timingSafeEqual(mac(plain, kind), sealed.subarray(sealed.length - 32))) throw new TamperedError('bad MAC');
      return Buffer.from(plain);
    },
  };
}
