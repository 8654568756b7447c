#!/usr/bin/env node
// Prints the note build-native.mjs left when it could not build the native reader (npm hid it
// during `npm install`); the repository's `prepare` runs this last. Silent when it is built
// (also when `npm run build` built it after a failed install).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NOTE = new URL('../build/native-reader-not-built.txt', import.meta.url);
const ADDON = new URL('../build/Release/vigil_native.node', import.meta.url);

if (process.argv[1] === fileURLToPath(import.meta.url) && existsSync(NOTE) && !existsSync(ADDON)) {
  process.stderr.write(readFileSync(NOTE, 'utf8'));
}
