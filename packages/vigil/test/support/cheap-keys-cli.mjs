/**
 * Test only: `vigil` whose new key files (init, key add, key passwd) cost scrypt N = 2^10
 * instead of 2^16 (some 5 ms instead of 0.3 s), through the scrypt hook of
 * src/commands/hooks.ts. Opening reads the parameters from the key file, so every other step
 * is the shipped one.
 */
import { runProgram } from '../../dist/program.js';

await runProgram(process.argv, { scrypt: { N: 2 ** 10, r: 8, p: 1 } });
