#!/usr/bin/env node
/**
 * The `tandem` command. `tandem worker` runs a Redis worker host (redis/worker-host.ts) for
 * pools created with `backend: 'redis'`.
 */
import { Command, InvalidArgumentError } from 'commander';
import { importRedisPackages } from '../redis/packages.js';
import { checkQueueName, checkRedisUrl, scrubSecrets } from '../redis/url.js';

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}

const program = new Command('tandem').description("tandem: Python's multiprocessing for TypeScript");

program
  .command('worker')
  .description("run tasks for pools with backend 'redis', from a BullMQ queue")
  .requiredOption('--connection <url>', 'Redis URL: redis://[user:password@]host:port[/db], or rediss:// for TLS')
  .requiredOption('--queue <name>', 'the queue the pools submit to')
  .option('--concurrency <n>', 'jobs run at once by this process', positiveInteger, 1)
  .option('--root <dir>', 'directory task modules are resolved in; nothing outside it is run', process.cwd())
  .option(
    '--lock-duration <ms>',
    "how long an active job's lock lasts (a dead worker's job is retried after it)",
    positiveInteger,
  )
  .option('--stalled-interval <ms>', 'how often to look for stalled jobs of dead workers', positiveInteger)
  .option('--max-stalled-count <n>', 'how often one job may stall before it fails', positiveInteger)
  .action(async (options: Record<string, unknown>) => {
    const connection = checkRedisUrl(options.connection, 'tandem worker');
    const queue = checkQueueName(options.queue, 'tandem worker');
    const { startWorkerHost } = await importRedisPackages(() => import('../redis/worker-host.js'));
    const host = await startWorkerHost({
      connection,
      queue,
      concurrency: options.concurrency as number,
      root: options.root as string,
      lockDuration: options.lockDuration as number | undefined,
      stalledInterval: options.stalledInterval as number | undefined,
      maxStalledCount: options.maxStalledCount as number | undefined,
    });
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(128 + (signal === 'SIGINT' ? 2 : 15)); // second signal: now
      stopping = true;
      process.stderr.write(`tandem worker: ${signal}: finishing active jobs\n`);
      void host.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

program.parseAsync().catch((error: unknown) => {
  const message = String((error as Error)?.message ?? error);
  const connection = program.commands[0]?.opts().connection;
  process.stderr.write(`tandem: ${typeof connection === 'string' ? scrubSecrets(message, connection) : message}\n`);
  process.exit(1);
});
