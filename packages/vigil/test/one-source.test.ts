/**
 * One source for each fact (issue 20): exit codes in help, README and docs come from the one
 * table in src/exit.ts; the version from package.json; and "inside" means one thing for
 * every command (a name that starts with `..` is not outside).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  COMMAND_EXIT_CODES,
  type CommandName,
  EXIT_CODE_TABLE,
  type ExitCodeGroup,
  exitCodesMarkdown,
} from '../src/exit.js';
import { isWithin, relativeInside } from '../src/fs/containment.js';
import { suiteDir, vigil } from './helpers.js';

const repoFile = (name: string) => readFileSync(new URL(`../../../${name}`, import.meta.url), 'utf8');
const HELP_OF: Record<ExitCodeGroup, string[]> = {
  vigil: ['--help'],
  hash: ['hash', '--help'],
  baseline: ['check', '--help'],
  backup: ['backup', '--help'],
};

describe('exit codes come from one table', () => {
  it('README.md and docs/vigil.md hold the tables exit.ts makes', () => {
    assert.ok(repoFile('README.md').includes(exitCodesMarkdown('vigil')), 'README.md: regenerate its exit code table');
    const docs = repoFile('docs/vigil.md');
    for (const group of ['hash', 'baseline', 'backup'] as const) {
      assert.ok(docs.includes(exitCodesMarkdown(group)), `docs/vigil.md: regenerate the ${group} exit code table`);
    }
  });

  it("every --help lists its group's meanings, code for code, for the codes its command returns", async () => {
    for (const [group, args] of Object.entries(HELP_OF) as [ExitCodeGroup, string[]][]) {
      const help = (await vigil(args)).stdout.toString();
      const command = args[0] as CommandName;
      const returned: readonly number[] | undefined =
        command in COMMAND_EXIT_CODES ? COMMAND_EXIT_CODES[command].codes : undefined;
      for (const [code, meaning] of EXIT_CODE_TABLE[group]) {
        if (returned !== undefined && !returned.includes(code)) continue;
        assert.ok(help.includes(`${String(code).padStart(3)}  ${meaning}`), `${args.join(' ')}: exit ${code}`);
      }
    }
  });

  it('vigil --version is the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal((await vigil(['--version'])).stdout.toString().trim(), version);
  });
});

describe('what lies inside what', () => {
  const at = suiteDir('vigil-inside-');

  it('relativeInside and isWithin: `..foo` is a name inside, `..` and `../x` are outside', () => {
    assert.equal(relativeInside('/a/t', '/a/t/..foo'), '..foo');
    assert.equal(relativeInside('/a/t', '/a/t'), '');
    assert.equal(relativeInside('/a/t', '/a'), undefined);
    assert.equal(relativeInside('/a/t', '/a/x'), undefined);
    assert.equal(isWithin(Buffer.from('t/..foo/x'), Buffer.from('t/..foo')), true);
    assert.equal(isWithin(Buffer.from('t/..foobar'), Buffer.from('t/..foo')), false);
    assert.equal(isWithin(Buffer.from('anything'), Buffer.alloc(0)), true);
  });

  it('vigil accept takes a path named ..foo inside the tree', async () => {
    mkdirSync(at('t'));
    writeFileSync(at('t', 'kept'), 'kept\n');
    assert.equal((await vigil(['baseline', at('t')])).code, 0);
    writeFileSync(at('t', '..foo'), 'new\n');
    const accepted = await vigil(['accept', at('t'), at('t', '..foo')]);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout.toString(), /Accepted 1 changed entries/);
    const outside = await vigil(['accept', at('t'), at('elsewhere')]);
    assert.equal(outside.code, 2);
  });

  it('vigil backup does not back a repository named ..repo inside a source up into itself', async () => {
    mkdirSync(at('src'));
    writeFileSync(at('src', 'file'), 'file\n');
    const first = await vigil(['backup', at('src'), '--to', at('src', '..repo')]);
    assert.equal(first.code, 0, first.stderr);
    const second = await vigil(['backup', at('src'), '--to', at('src', '..repo'), '--json']);
    assert.equal(second.code, 0, second.stderr);
    const { snapshot } = JSON.parse(second.stdout.toString()) as {
      snapshot: { stats: { files: number; newBlobs: number } };
    };
    assert.deepEqual([snapshot.stats.files, snapshot.stats.newBlobs], [1, 0]);
    assert.deepEqual(readdirSync(at('src')).sort(), ['..repo', 'file']);
  });
});
