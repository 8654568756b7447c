/** vigil as a library: the command functions and the manifest format, for programs that embed it. */
export { type HashOptions, hash } from './commands/hash.js';
export { ExitCode } from './exit.js';
export { formatChecksumLine } from './manifest/format.js';
export { type ParsedLine, parseChecksumLine } from './manifest/parse.js';
export { ALGORITHMS, type AlgorithmName } from './scan/algorithms.js';
