import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runExample } from '../run-example.ts';

const visits = { Alice: 'New York', Bob: 'Paris', Chandra: 'Mumbai', Dmitri: 'Moscow', Emeka: 'Lagos' };

/** Each worker's begin and end lines, in whatever order the workers ran. */
function assertEveryVisit(lines: string[]): void {
  const expected = Object.entries(visits).flatMap(([name, city]) => [
    `${name}: starting in ${city}`,
    `${name}: leaving ${city}`,
  ]);
  assert.deepEqual(lines.slice(0, 10).sort(), expected.sort());
  for (const [name, city] of Object.entries(visits)) {
    assert.ok(lines.indexOf(`${name}: starting in ${city}`) < lines.indexOf(`${name}: leaving ${city}`));
  }
}

describe('launcher', () => {
  it('reports each exit code by name and warns about the failed workers (seed 1)', async () => {
    const { code, lines, stderr } = await runExample('examples/launcher/main.ts', ['--seed', '1', '--max-sleep', '30']);
    assert.equal(code, 0);
    assertEveryVisit(lines);
    assert.deepEqual(lines.slice(10), [
      'Alice: exit code 0',
      'Bob: exit code 1',
      'Chandra: exit code 1',
      'Dmitri: exit code 0',
      'Emeka: exit code 1',
    ]);
    assert.equal(stderr, 'warning: 3 of 5 workers failed: Bob, Chandra, Emeka\n');
  });

  it('prints no warning when every worker succeeds (seed 0)', async () => {
    const { code, lines, stderr } = await runExample('examples/launcher/main.ts', ['--seed', '0', '--max-sleep', '30']);
    assert.equal(code, 0);
    assertEveryVisit(lines);
    assert.deepEqual(
      lines.slice(10),
      Object.keys(visits).map((name) => `${name}: exit code 0`),
    );
    assert.equal(stderr, '');
  });

  it('refuses a bad option with its usage', async () => {
    const { code, stderr } = await runExample('examples/launcher/main.ts', ['--seed', 'x']);
    assert.equal(code, 2);
    assert.match(stderr, /--seed wants a number >= 0, got "x"\nusage: launcher/);
  });
});
