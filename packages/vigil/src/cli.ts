#!/usr/bin/env node
/** The `vigil` binary: runs the command line (program.ts). */
import { runProgram } from './program.js';

// A reader that went away (`vigil check --help | head -1`) is not an error of ours: what is
// left to print has nowhere to go. Commands that stream output (report/output.ts) also stop
// writing then; any other error of standard output still ends the program loudly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

await runProgram(process.argv);
