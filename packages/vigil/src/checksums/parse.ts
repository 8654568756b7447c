/**
 * Reading checksum lines as `sha256sum -c` and `b3sum --check` do: `HASH  NAME`,
 * `HASH *NAME`, `HASH NAME`, or BSD-style `ALGO (NAME) = HASH`; a leading backslash marks
 * an escaped name; `#` comments and blank lines are ignored; a trailing CR is dropped.
 */
import { ALGORITHM_INFO, type AlgorithmName, algorithmForTag } from './algorithms.js';
import { unescapeName } from './escape.js';

export type ParsedLine =
  | { readonly kind: 'entry'; readonly algorithm: AlgorithmName; readonly expected: string; readonly name: Buffer }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed' };

const HEX = /^[0-9a-fA-F]+$/;
const TAG_LINE = /^([A-Z0-9-]+) \((.*)\) = ([0-9a-fA-F]+)$/s;

/**
 * Parses one line (without its newline), given as bytes. `algorithm` is what untagged
 * lines use; when it was not given on the command line (`fromDefault`), a digest whose
 * length fits exactly one other algorithm picks that one (sha512, sha1, md5, xxh3).
 */
export function parseChecksumLine(line: Buffer, algorithm: AlgorithmName, fromDefault: boolean): ParsedLine {
  let end = line.length;
  if (end > 0 && line[end - 1] === 0x0d) end--;
  // latin1 maps every byte to one char and back, so names survive whatever their encoding.
  let text = line.toString('latin1', 0, end).replace(/^[ \t]+/, '');
  if (text === '' || text.startsWith('#')) return { kind: 'ignored' };
  let escaped = false;
  if (text.startsWith('\\')) {
    escaped = true;
    text = text.slice(1);
  }
  const tagged = TAG_LINE.exec(text);
  if (tagged) {
    const tagAlgorithm = algorithmForTag(tagged[1] as string);
    if (tagAlgorithm === undefined) return { kind: 'malformed' };
    return entry(tagAlgorithm, tagged[3] as string, tagged[2] as string, escaped);
  }
  const space = text.indexOf(' ');
  if (space <= 0) return { kind: 'malformed' };
  const digest = text.slice(0, space);
  let rest = space + 1;
  if (text[rest] === ' ' || text[rest] === '*') rest++;
  const name = text.slice(rest);
  if (name === '') return { kind: 'malformed' };
  const chosen = fromDefault ? (algorithmForLength(digest.length) ?? algorithm) : algorithm;
  return entry(chosen, digest, name, escaped);
}

function entry(algorithm: AlgorithmName, digest: string, latin1Name: string, escaped: boolean): ParsedLine {
  if (digest.length !== ALGORITHM_INFO[algorithm].bytes * 2 || !HEX.test(digest)) return { kind: 'malformed' };
  const raw = Buffer.from(latin1Name, 'latin1');
  const name = escaped ? unescapeName(raw) : raw;
  if (name === undefined) return { kind: 'malformed' };
  return { kind: 'entry', algorithm, expected: digest.toLowerCase(), name };
}

/** The one algorithm with this hex digest length, if only one has it (64 fits BLAKE3 and SHA-256). */
function algorithmForLength(hexLength: number): AlgorithmName | undefined {
  switch (hexLength) {
    case 128:
      return 'sha512';
    case 40:
      return 'sha1';
    case 32:
      return 'md5';
    case 16:
      return 'xxh3';
    default:
      return undefined;
  }
}
