/**
 * Signed baselines: `vigil baseline --sign-key KEY` and `vigil accept --sign-key KEY` write
 * an Ed25519 signature of the database next to it (`baseline.db.sig`); `vigil check
 * --verify-key PUB` refuses a baseline whose signature is missing or does not match, before
 * reporting anything. Someone who edits the database to hide a change (without the private
 * key, which is kept off the host) is then caught.
 *
 * Ed25519 signs a message in one piece, so what is signed is a fixed header and the SHA-512
 * of the database file, read in chunks: a baseline of any size costs one pass over its bytes.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { BaselineSignatureError, SigningKeyError } from '../errors.js';

/** The first line of a signature file; the second is the signature in base64. */
const SIGNATURE_HEADER = 'vigil baseline signature v1 ed25519';
/** What precedes the database's digest in the signed message (so the signature means nothing elsewhere). */
const SIGNED_CONTEXT = Buffer.from('vigil baseline v1\n');
const READ_CHUNK = 1 << 20;

/** Where a baseline's signature lives. */
export function signaturePath(dbPath: string): string {
  return `${dbPath}.sig`;
}

/** Reads an Ed25519 private key (PEM, as `openssl genpkey -algorithm ed25519` writes it). */
export function loadSigningKey(path: string): KeyObject {
  return loadKey(path, 'private', (pem) => createPrivateKey(pem));
}

/** Reads an Ed25519 public key (PEM, as `openssl pkey -pubout` writes it). */
export function loadVerifyingKey(path: string): KeyObject {
  return loadKey(path, 'public', (pem) => createPublicKey(pem));
}

/** The contents of the signature file for the database at `dbFile`. */
export function signatureFor(dbFile: string, key: KeyObject): string {
  const signature = sign(null, signedMessage(dbFile), key);
  return `${SIGNATURE_HEADER}\n${signature.toString('base64')}\n`;
}

/** Throws BaselineSignatureError unless `dbPath` matches its signature under `key`. */
export function verifyBaseline(dbPath: string, key: KeyObject): void {
  const sigPath = signaturePath(dbPath);
  let text: string;
  try {
    text = readFileSync(sigPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BaselineSignatureError(
      dbPath,
      `the baseline ${dbPath} has no readable signature (${sigPath}: ${code}): it was not signed with --sign-key, or its signature was removed; do not trust it until you have re-made it from a known-good tree`,
    );
  }
  const [header, encoded] = text.split('\n');
  const signature = encoded === undefined ? Buffer.alloc(0) : Buffer.from(encoded, 'base64');
  const valid =
    header === SIGNATURE_HEADER && signature.length === 64 && verify(null, signedMessage(dbPath), key, signature);
  if (!valid) {
    throw new BaselineSignatureError(
      dbPath,
      `the baseline ${dbPath} does not match its signature: it was altered after it was signed (or signed with another key); nothing was checked. Do not trust it: re-make it from a known-good tree with --sign-key`,
    );
  }
}

function signedMessage(dbFile: string): Buffer {
  const hash = createHash('sha512');
  const fd = openSync(dbFile, 'r');
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return Buffer.concat([SIGNED_CONTEXT, hash.digest()]);
}

function loadKey(path: string, kind: 'private' | 'public', parse: (pem: Buffer) => KeyObject): KeyObject {
  let key: KeyObject;
  try {
    key = parse(readFileSync(path));
  } catch (error) {
    throw new SigningKeyError(
      path,
      `cannot read the Ed25519 ${kind} key ${path} (${(error as Error).message}): give a PEM file (see "Signed baselines" in docs/vigil.md)`,
      error,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      path,
      `${path} holds a key of type ${key.asymmetricKeyType ?? 'unknown'}: vigil signs baselines with Ed25519 only`,
    );
  return key;
}
