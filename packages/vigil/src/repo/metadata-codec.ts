/**
 * How a node record is stored: one compact JSON object (docs/format-v2-metadata.md, "Node
 * record"), bytes in base64, times as [seconds, nanoseconds]. JSON because trees are
 * compressed and encrypted whole (so its size costs little), fields can be added without a
 * new format, and every reader has a parser; base64 because names and targets are bytes.
 * Decoding trusts nothing: every field is type- and range-checked, every name is one safe
 * path component, and a bad record is a MalformedNodeError (or UnsafeEntryNameError).
 * Keys this module does not know are left to the caller (the tree adds a file's content).
 */
import type { Xattr } from '../fs/xattrs.js';
import { MalformedNodeError } from './meta-errors.js';
import { requireSafeName, safeComponents } from './meta-names.js';
import type { MetaNode, NodeType } from './metadata.js';

/** The stored form; see docs/format-v2-metadata.md for each key. */
export interface StoredNode {
  name: string;
  type: NodeType;
  mode: number;
  uid: number;
  gid: number;
  user?: string;
  group?: string;
  mtime: [number, number];
  atime: [number, number];
  size?: number;
  target?: string;
  device?: [number, number];
  xattrs?: [string, string][];
  linkTo?: string;
  skipped?: string;
}

const NS = 1_000_000_000n;
/** The range of a signed 64-bit nanosecond count (hoisted: decoding calls storedTimeNs for every entry). */
const NS_MAX = 2n ** 63n;
const NS_MIN = -(2n ** 63n);
/** Whole seconds whose nanoseconds surely fit in a signed 64-bit count, nanoseconds included. */
const NS_FIT_SECONDS = 9_223_372_035;
const TYPES: readonly NodeType[] = ['file', 'dir', 'symlink', 'fifo', 'char', 'block', 'socket'];
const TYPE_SET: ReadonlySet<unknown> = new Set(TYPES);
const MAX_ID = 0xfffffffe; // (uid_t)-1 means "unchanged" to chown: never an owner
const MAX_TARGET = 4095; // PATH_MAX less its NUL
const MAX_XATTR_NAME = 255; // XATTR_NAME_MAX
const MAX_XATTR_VALUE = 65536; // XATTR_SIZE_MAX
const MAX_XATTRS = 4096;
const MAX_ACCOUNT_NAME = 256;
const MAX_REASON = 1024;

/** A time as stored: [seconds, nanoseconds], the nanoseconds never negative (trees store ctime so too). */
export function storedTime(ns: bigint): [number, number] {
  const seconds = ns / NS - (ns % NS < 0n ? 1n : 0n);
  return [Number(seconds), Number(ns - seconds * NS)];
}

/** The stored form of `node` (its capture-only linkIdentity is dropped). */
export function toStoredNode(node: MetaNode): StoredNode {
  const stored: StoredNode = {
    name: node.name.toString('base64'),
    type: node.type,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    mtime: storedTime(node.mtimeNs),
    atime: storedTime(node.atimeNs),
  };
  if (node.user !== undefined) stored.user = node.user;
  if (node.group !== undefined) stored.group = node.group;
  if (node.type === 'file') stored.size = node.size;
  if (node.linkTarget) stored.target = node.linkTarget.toString('base64');
  if (node.device) stored.device = [node.device.major, node.device.minor];
  if (node.xattrs.length > 0)
    stored.xattrs = node.xattrs.map((x) => [x.name.toString('base64'), x.value.toString('base64')]);
  if (node.linkTo) stored.linkTo = node.linkTo.toString('base64');
  if (node.skipped !== undefined) stored.skipped = node.skipped;
  return stored;
}

/** The JSON text of one record. */
export function encodeNode(node: MetaNode): string {
  return `{${nodeJsonMembers(node)}}`;
}

/**
 * The members of `node`'s record as JSON text, without the braces (a tree appends its own):
 * byte for byte what JSON.stringify(toStoredNode(node)) writes between them, written by hand
 * because a backup encodes every entry of every changed directory and the generic path (an
 * object per record, then the serializer walking it) was half of the main thread's tree
 * building. Only the free-text fields (owner names, a skip reason) go through JSON.stringify;
 * everything else is base64, a fixed word or a number, which JSON writes as it is.
 */
export function nodeJsonMembers(node: MetaNode): string {
  const [mtimeSeconds, mtimeNanos] = storedTime(node.mtimeNs);
  const [atimeSeconds, atimeNanos] = storedTime(node.atimeNs);
  let text =
    `"name":"${node.name.toString('base64')}","type":"${node.type}","mode":${node.mode},` +
    `"uid":${node.uid},"gid":${node.gid},"mtime":[${mtimeSeconds},${mtimeNanos}],"atime":[${atimeSeconds},${atimeNanos}]`;
  if (node.user !== undefined) text += `,"user":${JSON.stringify(node.user)}`;
  if (node.group !== undefined) text += `,"group":${JSON.stringify(node.group)}`;
  if (node.type === 'file') text += `,"size":${node.size}`;
  if (node.linkTarget) text += `,"target":"${node.linkTarget.toString('base64')}"`;
  if (node.device) text += `,"device":[${node.device.major},${node.device.minor}]`;
  if (node.xattrs.length > 0) {
    const pairs = node.xattrs.map((x) => `["${base64(x.name)}","${base64(x.value)}"]`);
    text += `,"xattrs":[${pairs.join(',')}]`;
  }
  if (node.linkTo) text += `,"linkTo":"${node.linkTo.toString('base64')}"`;
  if (node.skipped !== undefined) text += `,"skipped":${JSON.stringify(node.skipped)}`;
  return text;
}

/** Base64 of bytes that may arrive as a plain Uint8Array (from another thread). */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fail(problem: string): never {
  throw new MalformedNodeError(problem);
}

function integer(value: unknown, key: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`"${key}" is not an integer from ${min} to ${max}`);
  }
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function bytes(value: unknown, key: string, max: number): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) fail(`"${key}" is not base64`);
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length > max) fail(`"${key}" is longer than ${max} bytes`);
  return decoded;
}

function account(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ACCOUNT_NAME || /[:\n\0]/.test(value)) {
    fail(`"${key}" is not a user or group name`);
  }
  return value;
}

/** The nanoseconds of a stored time under `key`, range-checked; MalformedNodeError otherwise. */
export function storedTimeNs(value: unknown, key: string): bigint {
  if (!Array.isArray(value) || value.length !== 2) fail(`"${key}" is not [seconds, nanoseconds]`);
  const seconds = integer(value[0], `${key}[0]`, -(2 ** 53) + 1, 2 ** 53 - 1);
  const nanos = integer(value[1], `${key}[1]`, 0, 999_999_999);
  const ns = BigInt(seconds) * NS + BigInt(nanos);
  // utimensat takes 64-bit nanoseconds here (a BigInt64 through the addon): bound it. Seconds
  // within ±9,223,372,035 always fit, so only times centuries away pay for BigInt comparisons.
  if ((seconds > NS_FIT_SECONDS || seconds < -NS_FIT_SECONDS) && (ns >= NS_MAX || ns < NS_MIN)) {
    fail(`"${key}" is out of range`);
  }
  return ns;
}

function xattrList(value: unknown): Xattr[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_XATTRS) fail(`"xattrs" is not a list of at most ${MAX_XATTRS}`);
  return value.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) fail(`"xattrs[${i}]" is not [name, value]`);
    const name = bytes(pair[0], `xattrs[${i}][0]`, MAX_XATTR_NAME);
    if (name.length === 0 || name.includes(0)) fail(`"xattrs[${i}][0]" is not an attribute name`);
    return { name, value: bytes(pair[1], `xattrs[${i}][1]`, MAX_XATTR_VALUE) };
  });
}

/**
 * Whether `stored` has `key`: refused when its `type` must not have it, or must and lacks it
 * (linkTo is optional for a file). Returns whether it is there and allowed.
 */
function keyFitsType(stored: Record<string, unknown>, type: NodeType, key: string, allowed: boolean): boolean {
  const present = stored[key] !== undefined;
  if (present && !allowed) fail(`a ${type} has no "${key}"`);
  if (!present && allowed && key !== 'linkTo') fail(`a ${type} needs "${key}"`);
  return allowed && present;
}

/** The node of a parsed stored record; throws MalformedNodeError or UnsafeEntryNameError. */
export function fromStoredNode(value: unknown): MetaNode {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not a JSON object');
  const stored = value as Record<string, unknown>;
  const name = bytes(stored.name, 'name', 255);
  requireSafeName(name, 'the entry');
  const type = stored.type as NodeType;
  if (!TYPE_SET.has(type)) fail(`"type" is not one of ${TYPES.join(', ')}`);
  const node: Record<string, unknown> = {
    name,
    type,
    mode: integer(stored.mode, 'mode', 0, 0o7777),
    uid: integer(stored.uid, 'uid', 0, MAX_ID),
    gid: integer(stored.gid, 'gid', 0, MAX_ID),
    mtimeNs: storedTimeNs(stored.mtime, 'mtime'),
    atimeNs: storedTimeNs(stored.atime, 'atime'),
    size: keyFitsType(stored, type, 'size', type === 'file')
      ? integer(stored.size, 'size', 0, Number.MAX_SAFE_INTEGER)
      : 0,
    xattrs: xattrList(stored.xattrs),
  };
  const user = account(stored.user, 'user');
  const group = account(stored.group, 'group');
  if (user !== undefined) node.user = user;
  if (group !== undefined) node.group = group;
  if (keyFitsType(stored, type, 'target', type === 'symlink')) {
    const target = bytes(stored.target, 'target', MAX_TARGET);
    if (target.length === 0 || target.includes(0)) fail('"target" is empty or holds NUL');
    node.linkTarget = target;
  }
  if (keyFitsType(stored, type, 'device', type === 'char' || type === 'block')) {
    const device = stored.device;
    if (!Array.isArray(device) || device.length !== 2) fail('"device" is not [major, minor]');
    node.device = {
      major: integer(device[0], 'device[0]', 0, 0xfff),
      minor: integer(device[1], 'device[1]', 0, 0xfffff),
    };
  }
  if (keyFitsType(stored, type, 'linkTo', type === 'file')) {
    const linkTo = bytes(stored.linkTo, 'linkTo', MAX_TARGET);
    safeComponents(linkTo, 'the hard link source');
    node.linkTo = linkTo;
  }
  if (stored.skipped !== undefined) {
    if (typeof stored.skipped !== 'string' || stored.skipped.length > MAX_REASON) fail('"skipped" is not a reason');
    node.skipped = stored.skipped;
  }
  return node as unknown as MetaNode;
}

/** The node of one record's JSON text. */
export function decodeNode(text: string): MetaNode {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    fail(`not JSON (${(error as Error).message})`);
  }
  return fromStoredNode(parsed);
}
