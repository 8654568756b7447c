/**
 * Paths in human-readable reports, unambiguous whatever bytes they hold: a backslash,
 * control characters (newline above all) and bytes that are not valid UTF-8 are written as
 * C-style escapes (`\\`, `\n`, `\t`, `\xff`), everything else as it is. One path per line,
 * always, and the escapes decode back to exactly one byte string.
 */
import { isUtf8 } from 'node:buffer';

/** Whether a decoded path needs no escape: no backslash, no control character. */
function isSimple(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return false;
  }
  return true;
}
const NAMED: Readonly<Record<number, string>> = { 10: '\\n', 13: '\\r', 9: '\\t', 92: '\\\\' };

export function quotePath(path: Buffer): string {
  if (isUtf8(path)) {
    const text = path.toString('utf8');
    if (isSimple(text)) return text;
    let out = '';
    for (const char of text) {
      const code = char.codePointAt(0) as number;
      out += NAMED[code] ?? (code < 0x20 || code === 0x7f ? `\\x${hex(code)}` : char);
    }
    return out;
  }
  // Not UTF-8: decode what is valid, escape each byte that is not.
  let out = '';
  let i = 0;
  while (i < path.length) {
    const length = utf8SequenceLength(path, i);
    if (length === 0) {
      out += `\\x${hex(path[i] as number)}`;
      i++;
      continue;
    }
    const char = path.subarray(i, i + length).toString('utf8');
    const code = char.codePointAt(0) as number;
    out += NAMED[code] ?? (code < 0x20 || code === 0x7f ? `\\x${hex(code)}` : char);
    i += length;
  }
  return out;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/** Length of the valid UTF-8 sequence at `i`, or 0 if the byte there does not start one. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const first = bytes[i] as number;
  const length =
    first < 0x80
      ? 1
      : first >= 0xc2 && first < 0xe0
        ? 2
        : first >= 0xe0 && first < 0xf0
          ? 3
          : first >= 0xf0 && first < 0xf5
            ? 4
            : 0;
  if (length <= 1) return length;
  if (i + length > bytes.length) return 0;
  return isUtf8(bytes.subarray(i, i + length)) ? length : 0;
}
