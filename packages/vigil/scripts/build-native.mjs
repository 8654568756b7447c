#!/usr/bin/env node
// vigil's install step: build the native batch reader (native/read_files.c) with node-gyp
// when this machine can. The addon only makes reading faster: without it vigil uses its
// JavaScript reader (src/scan/native-reader.ts), so a missing or failing compiler must not
// fail `npm install`; it gets one line saying so instead of node-gyp's pages of output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { NOTE } from './native-status.mjs';

const { name } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// npm gives install scripts the path of its own node-gyp; outside npm, try one on PATH.
const nodeGyp = process.env.npm_config_node_gyp;
const [command, args] = nodeGyp ? [process.execPath, [nodeGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

if (result.status !== 0) {
  const reason = result.error?.message ?? lastError(`${result.stdout}\n${result.stderr}`);
  const note =
    `vigil: native reader not built (${reason}); vigil uses its JavaScript reader: same results, slower. ` +
    `To build it: install a C compiler, make and python3, then run "npm rebuild ${name}".`;
  console.warn(note);
  // npm shows a dependency's install output only with --foreground-scripts: the note is kept
  // for the repository's `prepare` (scripts/native-status.mjs) to print after `npm install`.
  mkdirSync(new URL('../build/', import.meta.url), { recursive: true });
  writeFileSync(NOTE, `${note}\n`);
}

/** node-gyp's own message of why it failed, e.g. "`make` failed with exit code: 2", on one line. */
function lastError(output) {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith('gyp ERR! stack Error: '));
  if (start === -1) return lines.filter((line) => line.trim() !== '').at(-1) ?? `node-gyp exited with ${result.status}`;
  const message = [lines[start].slice('gyp ERR! stack Error: '.length)];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('gyp ERR! stack ') || line.startsWith('gyp ERR! stack at ')) break;
    message.push(line.slice('gyp ERR! stack '.length));
  }
  return message.join(' ');
}
