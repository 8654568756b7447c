/**
 * Writing checksum lines: `HASH  NAME` as sha256sum and b3sum print them, or BSD-style
 * `ALGO (NAME) = HASH` (`--tag`), each with coreutils' escaping of the name.
 */
import { ALGORITHM_INFO, type AlgorithmName } from './algorithms.js';
import { escapeName, needsEscape } from './escape.js';

export type LineStyle = 'gnu' | 'tag';

/** How checksum lines are shaped beyond their style: the flags sha256sum and b3sum share. */
export interface LineShape {
  /** `-b`: mark the name with `*` (binary mode), as `sha256sum -b` does. */
  readonly binary?: boolean;
  /** `-z`: end lines with NUL instead of newline, and leave names unescaped (coreutils). */
  readonly zero?: boolean;
  /** `--no-names`: the digest alone (b3sum). */
  readonly noNames?: boolean;
}

/** The bytes of one checksum line, its end (newline, or NUL with `zero`) included. */
export function formatChecksumLine(
  algorithm: AlgorithmName,
  style: LineStyle,
  hexDigest: string,
  name: Buffer,
  shape: LineShape = {},
): Buffer {
  const end = shape.zero ? '\0' : '\n';
  if (shape.noNames) return Buffer.from(`${hexDigest}${end}`, 'latin1');
  const escaped = !shape.zero && needsEscape(name);
  const shownName = escaped ? escapeName(name) : name;
  const lead = escaped ? '\\' : '';
  if (style === 'tag') {
    return Buffer.concat([
      Buffer.from(`${lead}${ALGORITHM_INFO[algorithm].tag} (`, 'latin1'),
      shownName,
      Buffer.from(`) = ${hexDigest}${end}`, 'latin1'),
    ]);
  }
  const marker = shape.binary ? ' *' : '  ';
  return Buffer.concat([Buffer.from(`${lead}${hexDigest}${marker}`, 'latin1'), shownName, Buffer.from(end, 'latin1')]);
}

/** Where `writeChecksumLine` puts its bytes: room reserved in an arena (report/output.ts). */
export interface LineTarget {
  reserve(bytes: number): number;
  readonly arena: Buffer;
  write(chunk: Buffer): void;
}

/** The two lowercase hex digits of every byte value, as ASCII. */
const HEX_PAIRS = Buffer.from(
  Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0')).join(''),
  'latin1',
);

/**
 * Writes the same bytes as `formatChecksumLine` into `target`. The common line (`HASH  NAME`
 * with a name that needs no escaping) goes straight into the target's arena, with no string
 * or Buffer made on the way: printing was a tenth of the main thread's time on a tree of
 * small files (docs/benchmarks.md). Every other shape takes formatChecksumLine.
 */
export function writeChecksumLine(
  target: LineTarget,
  algorithm: AlgorithmName,
  style: LineStyle,
  digest: Uint8Array,
  name: Buffer,
  shape: LineShape = {},
): void {
  if (style !== 'gnu' || shape.noNames || (!shape.zero && needsEscape(name))) {
    target.write(formatChecksumLine(algorithm, style, Buffer.from(digest).toString('hex'), name, shape));
    return;
  }
  const bytes = digest.length * 2 + 2 + name.length + 1;
  let at = target.reserve(bytes);
  const arena = target.arena;
  for (let i = 0; i < digest.length; i++) {
    const pair = (digest[i] as number) * 2;
    arena[at++] = HEX_PAIRS[pair] as number;
    arena[at++] = HEX_PAIRS[pair + 1] as number;
  }
  arena[at++] = 0x20; // ' '
  arena[at++] = shape.binary ? 0x2a : 0x20; // '*' or ' '
  at += name.copy(arena, at);
  arena[at] = shape.zero ? 0x00 : 0x0a;
}

/**
 * How --check shows a name in `NAME: OK` lines. sha256sum -c escapes only a name holding a
 * newline (then its backslashes too); b3sum --check escapes as it does in checksum lines.
 */
export function formatCheckedName(name: Buffer, algorithm: AlgorithmName): Buffer {
  const escaped = algorithm === 'blake3' ? needsEscape(name) : name.includes(0x0a);
  if (!escaped) return name;
  return Buffer.concat([Buffer.from('\\'), escapeName(name)]);
}
