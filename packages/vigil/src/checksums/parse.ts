/**
 * Reading checksum lines as `sha256sum -c` and `b3sum --check` do:
 *
 * - `HASH  NAME` and `HASH *NAME` (sha256sum, b3sum); the separator may be any white space;
 * - the one-space "reversed BSD" form `HASH NAME`, where every character after the one
 *   space is the name. As in coreutils, the first untagged line of a run decides which of
 *   the two forms the run uses (`ManifestForm`): mixing them would let a file renamed with
 *   a leading space or `*` pass for another;
 * - BSD tags `ALGO (NAME) = HASH` and OpenSSL's `ALGO(NAME)= HASH`;
 * - a leading backslash marks an escaped name; a `#` in the first column starts a comment;
 *   an empty line is skipped, but a line of white space only is improperly formatted; a
 *   trailing CR is dropped (CRLF manifests), a CR inside a name is kept.
 */
import { ALGORITHM_INFO, type AlgorithmName, algorithmForTag, algorithmsWithHexLength } from './algorithms.js';
import { unescapeName } from './escape.js';

export type ParsedLine =
  | {
      readonly kind: 'entry';
      readonly algorithm: AlgorithmName;
      readonly expected: string;
      readonly name: Buffer;
      /**
       * Untagged, without --algo, and its digest length fits several algorithms (64 digits:
       * BLAKE3, SHA-256, SHA3-256): these, the usual one first (--check probes, check-probe.ts).
       */
      readonly candidates?: readonly AlgorithmName[];
    }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed' };

/** Which untagged form a run of manifests uses, once its first untagged line has said. */
export interface ManifestForm {
  reversed?: boolean;
}

const HEX = /^[0-9a-fA-F]+$/;
// The name runs to the last ')'; BSD tags put spaces around '=', OpenSSL only after it.
const TAG_LINE = /^([A-Za-z0-9-]+) ?\((.*)\) *= *([0-9a-fA-F]+)$/s;
const LEADING_SPACE = /^[ \t\n\v\f\r]+/;
const SPACE = /[ \t\n\v\f\r]/;

/**
 * Parses one line (without its newline), given as bytes. `algorithm` is what untagged
 * lines use; when it was not given on the command line (`fromDefault`), the digest's length
 * picks one (or, when several fit, offers them as `candidates`).
 */
export function parseChecksumLine(
  line: Buffer,
  algorithm: AlgorithmName,
  fromDefault: boolean,
  form: ManifestForm = {},
): ParsedLine {
  if (line.length === 0 || line[0] === 0x23) return { kind: 'ignored' };
  let end = line.length;
  if (line[end - 1] === 0x0d) end--;
  if (end === 0) return { kind: 'ignored' };
  // latin1 maps every byte to one char and back, so names survive whatever their encoding.
  let text = line.toString('latin1', 0, end).replace(LEADING_SPACE, '');
  if (text === '') return { kind: 'malformed' };
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
  const separator = text.search(SPACE);
  if (separator <= 0) return { kind: 'malformed' };
  const digest = text.slice(0, separator);
  const fits = fromDefault ? algorithmsWithHexLength(digest.length) : [];
  // A line whose first word is no digest says nothing of the form: coreutils checks the
  // digits before it lets a line decide, so a leading garbage line cannot turn the run's
  // `HASH  NAME` lines into names with a leading space.
  const digestAlgorithm = fits[0] ?? algorithm;
  if (digest.length !== ALGORITHM_INFO[digestAlgorithm].bytes * 2 || !HEX.test(digest)) return { kind: 'malformed' };
  let rest = separator + 1;
  const marker = text[rest];
  if (text.length - rest === 1 || (marker !== ' ' && marker !== '*')) {
    if (form.reversed === false) return { kind: 'malformed' };
    form.reversed = true;
  } else if (form.reversed !== true) {
    form.reversed = false;
    rest++;
  }
  const name = text.slice(rest);
  if (name === '') return { kind: 'malformed' };
  return entry(digestAlgorithm, digest, name, escaped, fits.length > 1 ? fits : undefined);
}

function entry(
  algorithm: AlgorithmName,
  digest: string,
  latin1Name: string,
  escaped: boolean,
  candidates?: readonly AlgorithmName[],
): ParsedLine {
  if (digest.length !== ALGORITHM_INFO[algorithm].bytes * 2 || !HEX.test(digest)) return { kind: 'malformed' };
  const raw = Buffer.from(latin1Name, 'latin1');
  const name = escaped ? unescapeName(raw) : raw;
  if (name === undefined) return { kind: 'malformed' };
  const parsed = { kind: 'entry', algorithm, expected: digest.toLowerCase(), name } as const;
  return candidates ? { ...parsed, candidates } : parsed;
}
