/** Exclusion rules (src/fs/exclude-rules.ts): gitignore semantics, and `ignore` loaded only when a rule is asked. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ExcludeRules } from '../src/fs/exclude-rules.js';

describe('ExcludeRules', () => {
  it('matches with gitignore semantics: directory-only patterns, negation, anchoring', () => {
    const rules = new ExcludeRules(['build/', '*.log', '!keep.log', '/top']);
    assert.equal(rules.excludes('build', true), true);
    assert.equal(rules.excludes('build', false), false);
    assert.equal(rules.excludes('a/b.log', false), true);
    assert.equal(rules.excludes('keep.log', false), false);
    assert.equal(rules.excludes('top', false), true);
    assert.equal(rules.excludes('sub/top', false), false);
    assert.equal(rules.excludes('', true), false);
  });

  it('says whether a file of rules holds any', () => {
    assert.equal(ExcludeRules.fromFileText('# only a comment\n\n').isEmpty, true);
    assert.equal(ExcludeRules.fromFileText('# a comment\n*.tmp\n').isEmpty, false);
  });

  it('loads `ignore` at the first query, not when rules are made (a run without patterns never loads it)', () => {
    // In a fresh process: this one may have loaded `ignore` already.
    const module = new URL('../src/fs/exclude-rules.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const { ExcludeRules } = await import(${JSON.stringify(module)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('/node_modules/ignore/'));
      const rules = new ExcludeRules(['*.log']);
      const before = loaded();
      const excluded = rules.excludes('a.log', false);
      console.log(JSON.stringify({ before, excluded, after: loaded() }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { before: false, excluded: true, after: true });
  });
});
