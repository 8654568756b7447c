#!/usr/bin/env node
// Runs tandem's test suite on Bun or Deno: `node scripts/test-on.mjs bun|deno EXECUTABLE [filters]`.
// Each test file runs in its own process, as node --test runs them (`bun test` would run them
// all in one process, where one file's workers and shared memory meet the next file's). Both
// runtimes run node:test suites with their own runners; this prints one total at the end.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const [runtime, executable, ...filters] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'packages/tandem/test');

// A hung file must fail, not stall CI (scripts/test.mjs gives node --test the same 10 minutes).
const FILE_TIMEOUT_MS = 10 * 60_000;
const commands = {
  // --timeout: per test, as node --test-timeout in scripts/test.mjs.
  bun: (file) => [executable, ['test', '--timeout', '600000', file]],
  // --no-check: tsc checks the types on Node; Deno would check them again with its own settings.
  deno: (file) => [executable, ['test', '--allow-all', '--no-check', file]],
};
// The last summary each runner prints: "N pass" / "N fail" (Bun), "ok | N passed (M steps) | N failed" (Deno).
const counters = {
  bun: (output) => ({
    passed: Number(/^\s*(\d+) pass$/m.exec(output)?.[1] ?? 0),
    failed: Number(/^\s*(\d+) fail$/m.exec(output)?.[1] ?? 0),
  }),
  deno: (output) => {
    const summary = /^(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/m.exec(
      output,
    );
    // Deno counts describe() blocks as tests and it() as steps: count the steps where there are.
    return { passed: Number(summary?.[2] ?? summary?.[1] ?? 0), failed: Number(summary?.[4] ?? summary?.[3] ?? 0) };
  },
};
if (!(runtime in commands) || executable === undefined) {
  console.error('usage: node scripts/test-on.mjs bun|deno EXECUTABLE [filters]');
  process.exit(2);
}

const files = readdirSync(testDir)
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => join(testDir, name))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
let passed = 0;
let failed = 0;
const failedFiles = [];
for (const file of files) {
  const [command, args] = commands[runtime](file);
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: FILE_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const output = `${result.stdout}${result.stderr}`;
  process.stdout.write(output);
  const counts = counters[runtime](output);
  passed += counts.passed;
  failed += counts.failed;
  // A file that crashed, timed out or printed no summary fails even if no test did.
  if (result.status !== 0 || counts.passed + counts.failed === 0) {
    failedFiles.push(relative(root, file));
    if (counts.failed === 0) failed += 1;
  }
}
if (failedFiles.length > 0) console.log(`\n${runtime}: failed in ${failedFiles.join(', ')}`);
console.log(
  `\n${runtime} --version: ${spawnSync(executable, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}`,
);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedFiles.length === 0 && failed === 0 ? 0 : 1);
