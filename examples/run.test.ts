import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runExample } from './run-example.ts';

it('run.ts names the examples when asked for an unknown one', async () => {
  const { code, stderr } = await runExample('examples/run.ts', ['nope'], { underTsx: true });
  assert.equal(code, 2);
  assert.equal(
    stderr,
    'No example named "nope". Choose one of: calculate-e, integrity-shared, launcher, parallel-hash, queue-workers\n' +
      'usage: npm run example -- <name> [args]\n',
  );
});

it('run.ts runs the named example with the arguments that follow', async () => {
  const { code, lines } = await runExample('examples/run.ts', ['launcher', '--seed', '0', '--max-sleep', '0'], {
    underTsx: true,
  });
  assert.equal(code, 0);
  assert.equal(lines.at(-1), 'Emeka: exit code 0');
});
