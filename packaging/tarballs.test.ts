/**
 * What `npm pack` makes of each package: it builds first (prepack), and the tarball holds the
 * built JavaScript with its types, the package's own README and the MIT LICENSE, what the
 * package runs at install (vigil: its addon's source and build script) and nothing else: no
 * sources, source maps or build info. publint and @arethetypeswrong/cli find no problem.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manifest, pack, REPO, runOk, scratch } from './helpers.js';

const dir = scratch('packs-');
after(() => dir.cleanup());

/** Files a package may ship besides dist/**.js and dist/**.d.ts. */
const EXPECTED_EXTRAS: Record<'tandem' | 'vigil', RegExp> = {
  tandem: /^(package\.json|README\.md|LICENSE|bin\/tandem\.js)$/,
  vigil:
    /^(package\.json|README\.md|LICENSE|bin\/vigil\.js|binding\.gyp|blake3\.gypi|native\/[\w-]+\.[ch]|scripts\/[\w-]+\.mjs)$/,
};

for (const pkg of ['tandem', 'vigil'] as const) {
  describe(`npm pack of ${pkg}`, () => {
    let tarball: string;
    let files: string[];
    before(async () => {
      ({ tarball, files } = await pack(pkg, dir.path));
    });

    it('ships the built JavaScript with its types, and nothing else of size', () => {
      const pkgJson = JSON.parse(readFileSync(join(REPO, 'packages', pkg, 'package.json'), 'utf8')) as {
        exports: Record<string, { types?: string; default?: string } | string>;
      };
      for (const entry of Object.values(pkgJson.exports)) {
        if (typeof entry === 'string') continue;
        assert.ok(files.includes((entry.types as string).slice(2)), `${entry.types} is packed`);
        assert.ok(files.includes((entry.default as string).slice(2)), `${entry.default} is packed`);
      }
      const others = files.filter((file) => !/^dist\/.*\.(js|d\.ts)$/.test(file) && !EXPECTED_EXTRAS[pkg].test(file));
      assert.deepEqual(others, [], 'no sources, maps, build info or stray files');
      assert.ok(files.some((file) => file.startsWith('dist/')));
    });

    it('ships every source its install needs to compile the native addon', () => {
      const nativeDir = join(REPO, 'packages', pkg, 'native');
      if (!existsSync(nativeDir)) {
        assert.deepEqual(
          files.filter((f) => f.startsWith('native/')),
          [],
          'no native part',
        );
        return;
      }
      for (const source of readdirSync(nativeDir))
        assert.ok(files.includes(`native/${source}`), `native/${source} is packed`);
      assert.ok(files.includes('binding.gyp'));
      // And every file binding.gyp includes (blake3.gypi: how BLAKE3's C sources are built when present).
      const gyp = readFileSync(join(REPO, 'packages', pkg, 'binding.gyp'), 'utf8');
      const included = [...gyp.matchAll(/"includes":\s*\[([^\]]*)\]/g)].flatMap((m) => m[1]?.match(/[\w./-]+/g) ?? []);
      assert.ok(included.length > 0, 'binding.gyp includes blake3.gypi');
      for (const file of included) assert.ok(files.includes(file), `${file} (included by binding.gyp) is packed`);
    });

    it('holds its own README and the MIT LICENSE', () => {
      const readme = execFileSync('tar', ['-xzOf', tarball, 'package/README.md']).toString();
      assert.notEqual(
        readme,
        readFileSync(join(REPO, 'README.md'), 'utf8'),
        "the package's README, not the repository's",
      );
      assert.match(readme, /^# /);
      assert.match(readme, new RegExp(`npm install (-g )?${manifest(pkg).name}\\b`), 'it says how to install it');
      assert.match(execFileSync('tar', ['-xzOf', tarball, 'package/LICENSE']).toString(), /^MIT License/);
    });

    it('passes publint --strict', async () => {
      const { stdout } = await runOk('npx', ['--no-install', 'publint', 'run', tarball, '--strict'], { cwd: REPO });
      assert.match(stdout, /All good!/);
    });

    // ES modules only: `require()` of them works on Node 20.19+, 22.12+ and 24 (consumers.test.ts
    // runs a CommonJS project), so attw's esm-only profile leaves out the node10 and CommonJS checks.
    it('passes @arethetypeswrong/cli (esm-only profile)', async () => {
      await runOk('npx', ['--no-install', 'attw', tarball, '--profile', 'esm-only', '--no-color'], { cwd: REPO });
    });
  });
}
