/**
 * Writing checksum lines: `HASH  NAME` as sha256sum and b3sum print them, or BSD-style
 * `ALGO (NAME) = HASH` (`--tag`), each with coreutils' escaping of the name.
 */
import { ALGORITHM_INFO, type AlgorithmName } from '../scan/algorithms.js';
import { type EscapeStyle, escapeName, needsEscape } from './escape.js';

export type LineStyle = 'gnu' | 'tag';

export function escapeStyleFor(algorithm: AlgorithmName): EscapeStyle {
  return algorithm === 'blake3' ? 'b3sum' : 'coreutils';
}

/** The bytes of one checksum line, newline included. */
export function formatChecksumLine(
  algorithm: AlgorithmName,
  style: LineStyle,
  hexDigest: string,
  name: Buffer,
): Buffer {
  const escapeStyle = escapeStyleFor(algorithm);
  const escaped = needsEscape(name, escapeStyle);
  const shownName = escaped ? escapeName(name, escapeStyle) : name;
  const lead = escaped ? '\\' : '';
  if (style === 'tag') {
    return Buffer.concat([
      Buffer.from(`${lead}${ALGORITHM_INFO[algorithm].tag} (`, 'latin1'),
      shownName,
      Buffer.from(`) = ${hexDigest}\n`, 'latin1'),
    ]);
  }
  return Buffer.concat([Buffer.from(`${lead}${hexDigest}  `, 'latin1'), shownName, Buffer.from('\n', 'latin1')]);
}

/** How --check shows a name in `NAME: OK` lines: escaped as coreutils does, with the leading backslash. */
export function formatCheckedName(name: Buffer): Buffer {
  if (!needsEscape(name, 'coreutils')) return name;
  return Buffer.concat([Buffer.from('\\'), escapeName(name, 'coreutils')]);
}
