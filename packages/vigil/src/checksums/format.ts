/**
 * Writing checksum lines: `HASH  NAME` as sha256sum and b3sum print them, or BSD-style
 * `ALGO (NAME) = HASH` (`--tag`), each with coreutils' escaping of the name.
 */
import { ALGORITHM_INFO, type AlgorithmName } from './algorithms.js';
import { escapeName, needsEscape } from './escape.js';

export type LineStyle = 'gnu' | 'tag';

/** The bytes of one checksum line, newline included. */
export function formatChecksumLine(
  algorithm: AlgorithmName,
  style: LineStyle,
  hexDigest: string,
  name: Buffer,
): Buffer {
  const escaped = needsEscape(name);
  const shownName = escaped ? escapeName(name) : name;
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

/**
 * How --check shows a name in `NAME: OK` lines. sha256sum -c escapes only a name holding a
 * newline (then its backslashes too); b3sum --check escapes as it does in checksum lines.
 */
export function formatCheckedName(name: Buffer, algorithm: AlgorithmName): Buffer {
  const escaped = algorithm === 'blake3' ? needsEscape(name) : name.includes(0x0a);
  if (!escaped) return name;
  return Buffer.concat([Buffer.from('\\'), escapeName(name)]);
}
