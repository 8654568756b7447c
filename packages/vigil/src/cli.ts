#!/usr/bin/env node
/** The `vigil` binary: runs the command line (program.ts). */
import { runProgram } from './program.js';

await runProgram(process.argv);
