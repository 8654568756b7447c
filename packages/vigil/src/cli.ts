#!/usr/bin/env node
/** The `vigil` binary: runs the command line (program.ts). */
import { runProgram } from './program.js';

// A reader that went away (`vigil snapshots REPO | head -1`, or stderr into a closed pipe) is
// not an error of ours: what is left to print has nowhere to go, and the run goes on to its
// own exit code (a backup still commits). Commands that stream output (report/output.ts) also
// stop writing then; any other error of standard output or error still ends the program loudly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

await runProgram(process.argv);
