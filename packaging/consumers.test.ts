/**
 * The packed library as a user meets it: two projects made with `npm init -y`, one left
 * CommonJS (npm's default) and one with "type": "module", install the tarball `npm pack`
 * made, compile a task module and a main program under `tsc --strict` (with the library's
 * types checked, skipLibCheck off), and run a Pool on threads and on child processes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installedVersion, manifest, pack, run, runOk, scratch } from './helpers.js';

const library = manifest('tandem').name;
const dir = scratch('tandem-consumers-');
let tarball: string;

before(async () => {
  ({ tarball } = await pack('tandem', dir.path));
});
after(() => dir.cleanup());

interface Kind {
  readonly name: 'commonjs' | 'module';
  /** How a task module names itself to defineTasks. */
  readonly selfLocation: string;
  /** The main program's body runs in this wrapper (no top-level await in CommonJS). */
  readonly wrap: (body: string) => string;
}

const kinds: Kind[] = [
  {
    name: 'commonjs',
    selfLocation: '__filename',
    wrap: (body) => `async function main() {\n${body}\n}\nvoid main();\n`,
  },
  { name: 'module', selfLocation: 'import.meta.url', wrap: (body) => body },
];

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    skipLibCheck: false,
    outDir: 'dist',
    rootDir: 'src',
    types: ['node'],
  },
  include: ['src'],
};

function taskModule(kind: Kind): string {
  return `import { defineTasks } from '${library}/tasks';

export default defineTasks(${kind.selfLocation}, {
  square: (x: number) => x * x,
  where: () => process.pid,
});
`;
}

function mainProgram(kind: Kind): string {
  return `import { Pool, RedisPackagesMissingError } from '${library}';
import tasks from './tasks.js';

${kind.wrap(`  const report: Record<string, unknown> = {};
  for (const backend of ['thread', 'process'] as const) {
    const pool = new Pool({ workers: 2, backend });
    try {
      const squares: number[] = await pool.map(tasks.square, [1, 2, 3, 4]);
      const pid: number = await pool.apply(tasks.where, []);
      report[backend] = { squares, otherProcess: pid !== process.pid };
    } finally {
      await pool.terminate();
    }
  }
  // bullmq and ioredis are optional peers, not installed here: the Redis backend says so.
  const redis = new Pool({ backend: 'redis', connection: 'redis://127.0.0.1:1', queue: 'q' });
  try {
    await redis.apply(tasks.square, [2]);
    report.redis = 'ran without bullmq';
  } catch (error) {
    let cause: unknown = error;
    while (cause instanceof Error && !(cause instanceof RedisPackagesMissingError)) cause = cause.cause;
    report.redis = cause instanceof RedisPackagesMissingError ? cause.message : String(error);
  } finally {
    await redis.terminate();
  }
  console.log(JSON.stringify(report));`)}`;
}

for (const kind of kinds) {
  describe(`a ${kind.name} project made with npm init -y`, () => {
    const project = () => join(dir.path, kind.name);

    it('installs the packed tarball without the Redis packages and without install-script warnings', async () => {
      mkdirSync(project());
      await runOk('npm', ['init', '-y'], { cwd: project() });
      if (kind.name === 'module') await runOk('npm', ['pkg', 'set', 'type=module'], { cwd: project() });
      const install = await runOk(
        'npm',
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          tarball,
          `typescript@${installedVersion('typescript')}`,
          `@types/node@${installedVersion('@types/node')}`,
        ],
        { cwd: project() },
      );
      assert.doesNotMatch(install.stderr, /install-scripts|install script/i);
      const tree = await run('npm', ['ls', '--all', '--parseable'], { cwd: project() });
      assert.match(tree.stdout, new RegExp(`node_modules/${library}$`, 'm'));
      assert.doesNotMatch(tree.stdout, /node_modules\/(bullmq|ioredis|msgpackr-extract)$/m);
    });

    it('compiles a task module and a main program with tsc --strict, types of the package checked', async () => {
      mkdirSync(join(project(), 'src'));
      writeFileSync(join(project(), 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
      writeFileSync(join(project(), 'src/tasks.ts'), taskModule(kind));
      writeFileSync(join(project(), 'src/main.ts'), mainProgram(kind));
      await runOk('npx', ['--no-install', 'tsc', '-p', '.'], { cwd: project() });
    });

    it('runs a Pool on threads and child processes; the Redis backend names the packages to install', async () => {
      const { stdout } = await runOk(process.execPath, ['dist/main.js'], { cwd: project() });
      const report = JSON.parse(stdout) as Record<string, unknown>;
      for (const backend of ['thread', 'process']) {
        assert.deepEqual(report[backend], { squares: [1, 4, 9, 16], otherProcess: backend === 'process' });
      }
      assert.match(String(report.redis), /npm install bullmq ioredis/);
    });
  });
}
