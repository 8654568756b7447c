#!/usr/bin/env node
/** The `vigil` binary: runs the command line (program.ts). */
import module from 'node:module';
import { type CompileCacheApi, startCompileCache } from './compile-cache.js';

// Before anything else is imported, so that the modules of the run load from the cache.
startCompileCache(module as CompileCacheApi, process.env);

// A reader that went away (`vigil snapshots REPO | head -1`, or stderr into a closed pipe) is
// not an error of ours: what is left to print has nowhere to go, and the run goes on to its
// own exit code (a backup still commits). Commands that stream output (report/output.ts) also
// stop writing then; any other error of standard output or error still ends the program loudly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const { runProgram } = await import('./program.js');
await runProgram(process.argv);
