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

/**
 * How --check shows a name in `NAME: OK` lines. sha256sum -c escapes only a name holding a
 * newline (then its backslashes too); b3sum --check escapes as it does in checksum lines.
 */
export function formatCheckedName(name: Buffer, algorithm: AlgorithmName): Buffer {
  const escaped = algorithm === 'blake3' ? needsEscape(name) : name.includes(0x0a);
  if (!escaped) return name;
  return Buffer.concat([Buffer.from('\\'), escapeName(name)]);
}
