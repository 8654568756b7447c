import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NODE } from './fixtures/runtime.ts';

const run = promisify(execFile);

it('task refs type their arguments and results: wrong calls do not compile, right ones do', async () => {
  const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
  const result = await run(process.execPath, [tsc, '-p', project], { timeout: 120_000 }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  assert.equal(result, '', `tsc reported:\n${result}`);
});

it("'tandem/tasks' exports the same defineTasks as 'tandem', and loads nothing else of tandem", async () => {
  const [whole, light] = await Promise.all([import('tandem'), import('tandem/tasks')]);
  assert.equal(light.defineTasks, whole.defineTasks);
  // A fresh Node.js process with a loader hook (Node's API) that reports every module it loads:
  // which files a module graph holds does not depend on the runtime that loads it.
  const hook = `export async function load(url, context, next) { process.stderr.write(url + '\\n'); return next(url, context); }`;
  const probe = `
    const { register } = await import('node:module');
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    await import('tandem/tasks');`;
  const { stderr } = await run(NODE, ['--input-type=module', '-e', probe], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  const tandemModules = stderr.split('\n').filter((url) => url.includes('/tandem/dist/'));
  assert.deepEqual(
    tandemModules.map((url) => url.slice(url.indexOf('/dist/'))),
    ['/dist/tasks.js'],
  );
});
