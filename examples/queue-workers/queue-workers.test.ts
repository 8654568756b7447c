import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { runExample } from '../run-example.ts';

const ROUNDS = 50;

function expectedHash(input: string): string {
  let digest = createHash('sha512').update(input).digest();
  for (let i = 1; i < ROUNDS; i++) digest = createHash('sha512').update(digest).digest();
  return digest.toString('hex');
}

/** Checks one run's block of lines: header, a report per item, a result per item, the total. */
function checkBlock(block: string[], header: string, items: number, names: string[]): string[] {
  assert.equal(block[0], header);
  const reports = block.slice(1, 1 + items).map((line) => {
    const match = /^ {2}(worker-\d+): (\d+) done, \d+\.\d{3} s per item$/.exec(line);
    assert.ok(match, line);
    return { worker: match[1] as string, done: Number(match[2]) };
  });
  for (const name of new Set(reports.map((r) => r.worker))) {
    assert.ok(names.includes(name), name);
    const counts = reports.filter((r) => r.worker === name).map((r) => r.done);
    assert.deepEqual(
      counts,
      Array.from(counts, (_, i) => i + 1),
      `${name} counts its items in order`,
    );
  }
  const results = block.slice(1 + items, 1 + 2 * items).map((line) => {
    const match = /^ {2}(\S+) -> ([0-9a-f]{128})$/.exec(line);
    assert.ok(match, line);
    assert.equal(match[2], expectedHash(match[1] as string), `hash of ${match[1]}`);
    return match[1] as string;
  });
  assert.equal(new Set(results).size, items);
  assert.match(block[1 + 2 * items] as string, new RegExp(`^ {2}total: ${items} items in \\d+\\.\\d\\d s$`));
  return results;
}

it('queue-workers hashes every item once with 1 worker and again with N, reporting as it goes', async () => {
  const items = 6;
  const { code, lines, stderr } = await runExample('examples/queue-workers/main.ts', [
    '--items',
    String(items),
    '--workers',
    '3',
    '--rounds',
    String(ROUNDS),
  ]);
  assert.equal(code, 0, stderr);
  const block = 2 + 2 * items;
  assert.equal(lines.length, 2 * block + 1);
  const alone = checkBlock(lines.slice(0, block), '1 worker:', items, ['worker-1']);
  const together = checkBlock(lines.slice(block, 2 * block), '3 workers:', items, ['worker-1', 'worker-2', 'worker-3']);
  assert.deepEqual(together, alone, 'the same inputs, in the same order');
  assert.match(lines.at(-1) as string, /^3 workers were \d+\.\d\dx as fast as 1$/);
});
