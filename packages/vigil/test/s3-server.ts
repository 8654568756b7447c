/**
 * Test only: an S3-compatible server on a free loopback port, its buckets in a folder of the
 * test's temp dir, in a process of its own so a test can kill it mid-run and start it again
 * on the same port and data.
 *
 * The server is s3rver (a devDependency: pure JavaScript from the npm registry, nothing else
 * to download or install). Debian has no S3 server package (no python3-moto, no MinIO) and the
 * other registry candidates are either wrappers that download a server binary at run time or
 * unmaintained. What s3rver does and does not do, as these tests rely on it:
 * - it serves path-style requests, HEAD, ranged GET, ListObjectsV2 with continuation tokens,
 *   CreateBucket, and answers NoSuchBucket, NoSuchKey and InvalidAccessKeyId as S3 does;
 * - it makes continuation tokens with DES, which OpenSSL 3 only has in its legacy provider:
 *   the server runs under `node --openssl-legacy-provider` (the flag Node.js 17 and later take);
 * - it does not check SigV4 signatures, so a wrong secret passes: the tests give a wrong key
 *   id instead, and s3-errors.ts's handling of SignatureDoesNotMatch is tested on its own.
 * Its one account is S3RVER / S3RVER.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort } from '../../tandem/test/fixtures/redis-harness.ts';

export interface S3Server {
  readonly port: number;
  readonly endpoint: string;
  /** Environment for a vigil that signs with the server's account. */
  readonly env: NodeJS.ProcessEnv;
  /** `s3:http://127.0.0.1:PORT/BUCKET[/PREFIX]` */
  url(bucketAndPrefix: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The server's one account (s3rver's built-in). */
export const S3_ACCOUNT = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** The server, run from a script given on the command line: it says "listening" once it does. */
const LAUNCHER = `
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: '127.0.0.1', port: Number(process.argv[2]), directory: process.argv[3], silent: true });
server.run().then(() => process.stdout.write('listening\\n'), (error) => { console.error(error); process.exit(1); });
`;

export async function s3Server(dir: string): Promise<S3Server> {
  const data = join(dir, 's3-data');
  mkdirSync(data, { recursive: true });
  const module = createRequire(import.meta.url).resolve('s3rver');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    port,
    endpoint,
    env: { ...S3_ACCOUNT, AWS_DEFAULT_REGION: '', AWS_REGION: '', AWS_SESSION_TOKEN: '' },
    url: (bucketAndPrefix) => `s3:${endpoint}/${bucketAndPrefix}`,
    async start() {
      child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', LAUNCHER, module, String(port), data], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let said = '';
      await new Promise<void>((resolve, reject) => {
        child?.stdout?.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          if (said.includes('listening\n')) resolve();
        });
        child?.stderr?.on('data', (chunk: Buffer) => {
          said += chunk.toString();
        });
        child?.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${said}`)));
      });
    },
    async stop() {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
