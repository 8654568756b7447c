/** vigil as a library: the command functions and the manifest format, for programs that embed it. */

export { ALGORITHMS, type AlgorithmName } from './checksums/algorithms.js';
export { formatChecksumLine } from './checksums/format.js';
export { type ParsedLine, parseChecksumLine } from './checksums/parse.js';
export { type HashOptions, hash } from './commands/hash.js';
export { ExitCode } from './exit.js';
