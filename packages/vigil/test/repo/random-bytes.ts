/** Reproducible pseudo-random bytes for the repository tests: AES-256-CTR of zeros under a key made from `seed`. */
import { createCipheriv, createHash } from 'node:crypto';

export function randomBytesFrom(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** A 32-byte seed named by `label`. */
export function seedOf(label: string): Buffer {
  return createHash('sha256').update(`seed ${label}`).digest();
}
