/**
 * How `vigil ls` and `vigil find` show one snapshot entry: its path alone, a long line like
 * restic's `ls -l` (permissions, owner, group, size, mtime, path, -> link target), or a JSON
 * object (restic's NDJSON node, with vigil's names). A path that is not valid UTF-8 is
 * escaped in text (quote-path.ts) and also given as `pathBase64` in JSON, as check does.
 */
import { isUtf8 } from 'node:buffer';
import type { MetaNode, NodeType } from '../repo/metadata.js';
import { quotePath } from './quote-path.js';

const TYPE_LETTER: Readonly<Record<NodeType, string>> = {
  file: '-',
  dir: 'd',
  symlink: 'l',
  fifo: 'p',
  char: 'c',
  block: 'b',
  socket: 's',
};

/** `drwxr-xr-x`, with s/S and t/T for set-id and sticky bits, as ls(1) writes them. */
export function permissions(node: Pick<MetaNode, 'type' | 'mode'>): string {
  const m = node.mode;
  const bit = (mask: number, letter: string) => (m & mask ? letter : '-');
  const special = (exec: number, flag: number, set: string) => {
    if (m & flag) return m & exec ? set : set.toUpperCase();
    return m & exec ? 'x' : '-';
  };
  return (
    TYPE_LETTER[node.type] +
    bit(0o400, 'r') +
    bit(0o200, 'w') +
    special(0o100, 0o4000, 's') +
    bit(0o040, 'r') +
    bit(0o020, 'w') +
    special(0o010, 0o2000, 's') +
    bit(0o004, 'r') +
    bit(0o002, 'w') +
    special(0o001, 0o1000, 't')
  );
}

/** `YYYY-MM-DD HH:MM:SS` in local time, as restic's ls -l shows it. */
function localTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  );
}

/** One `ls -l` line: permissions, owner, group, size, mtime, path (and where a link points). */
export function longLine(path: Buffer, node: MetaNode): string {
  const owner = (node.user ?? String(node.uid)).padStart(8);
  const group = (node.group ?? String(node.gid)).padStart(8);
  const size = String(node.size).padStart(12);
  const target =
    node.linkTarget !== undefined
      ? ` -> ${quotePath(node.linkTarget)}`
      : node.linkTo !== undefined
        ? ` (hard link to /${quotePath(node.linkTo)})`
        : '';
  return `${permissions(node)} ${owner} ${group} ${size} ${localTime(node.mtimeNs)} ${quotePath(path)}${target}`;
}

/** A path as JSON: text, plus its bytes in base64 when they are not UTF-8. */
export function pathJson(path: Buffer, key: string): Record<string, string> {
  const text = path.toString('utf8');
  return isUtf8(path) ? { [key]: text } : { [key]: text, [`${key}Base64`]: path.toString('base64') };
}

/** An ISO 8601 time with nanoseconds (JSON keeps what the snapshot holds). */
export function isoTimeNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  const fraction = (((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

/** The JSON object of one entry (restic's node object: `struct_type` "node"). */
export function nodeJson(path: Buffer, node: MetaNode): Record<string, unknown> {
  return {
    struct_type: 'node',
    ...pathJson(node.name, 'name'),
    type: node.type,
    ...pathJson(path, 'path'),
    size: node.size,
    mode: `0${node.mode.toString(8).padStart(3, '0')}`,
    permissions: permissions(node),
    uid: node.uid,
    gid: node.gid,
    ...(node.user === undefined ? {} : { user: node.user }),
    ...(node.group === undefined ? {} : { group: node.group }),
    mtime: isoTimeNs(node.mtimeNs),
    ...(node.linkTarget === undefined ? {} : pathJson(node.linkTarget, 'linkTarget')),
    ...(node.linkTo === undefined ? {} : pathJson(Buffer.concat([Buffer.from('/'), node.linkTo]), 'hardLinkTo')),
    ...(node.device === undefined ? {} : { device: node.device }),
  };
}
