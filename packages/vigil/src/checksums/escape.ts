/**
 * Escaping of file names in checksum lines: a name holding a backslash, a newline or a
 * carriage return is written with `\\`, `\n`, `\r`, and the whole line starts with a
 * backslash. coreutils does this; so does b3sum since 1.5 (older ones, Debian's 1.2 among
 * them, wrote CR raw, which a CRLF-tolerant reader drops at the end of a line). The tools
 * differ only in how --check shows names (format.ts).
 */

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Whether `name` must be escaped (and its line prefixed with a backslash). */
export function needsEscape(name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) {
    const byte = name[i];
    if (byte === BACKSLASH || byte === NEWLINE || byte === CARRIAGE_RETURN) return true;
  }
  return false;
}

/** The escaped bytes of `name` (call only when needsEscape is true). */
export function escapeName(name: Uint8Array): Buffer {
  const out: number[] = [];
  for (const byte of name) {
    if (byte === BACKSLASH) out.push(BACKSLASH, BACKSLASH);
    else if (byte === NEWLINE) out.push(BACKSLASH, 0x6e);
    else if (byte === CARRIAGE_RETURN) out.push(BACKSLASH, 0x72);
    else out.push(byte);
  }
  return Buffer.from(out);
}

/** Undoes escapeName for a name read from a line that began with a backslash; undefined if malformed. */
export function unescapeName(escaped: Buffer): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const byte = escaped[i] as number;
    if (byte !== BACKSLASH) {
      out.push(byte);
      continue;
    }
    const next = escaped[++i];
    if (next === BACKSLASH) out.push(BACKSLASH);
    else if (next === 0x6e) out.push(NEWLINE);
    else if (next === 0x72) out.push(CARRIAGE_RETURN);
    else return undefined;
  }
  return Buffer.from(out);
}
