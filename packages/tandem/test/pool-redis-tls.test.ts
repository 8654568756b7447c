/**
 * rediss:// with a password in the URL: a private redis-server that speaks only TLS, with a
 * certificate from a throwaway authority the test makes with openssl, a `tandem worker` and a
 * pool in a separate program (both trusting that authority through NODE_EXTRA_CA_CERTS).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, redisMissing, startWorker, type WorkerProcess, waitForLine } from './fixtures/redis-harness.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const run = promisify(execFile);
const PASSWORD = 's3cret-pass';

function missing(): string | undefined {
  const redis = redisMissing();
  if (redis) return redis;
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not on PATH (it makes the test certificates)';
  return undefined;
}

/** A CA and a server certificate for 127.0.0.1, made in `dir`. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=tandem-test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    'server.pem',
    '-extfile',
    'ext.cnf',
  );
}

describe('Pool on Redis over TLS (rediss://) with a password', { skip: missing() ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
  const env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
  let server: ReturnType<typeof spawn> | undefined;
  let worker: WorkerProcess | undefined;
  let url = '';

  before(async () => {
    makeCertificates(dir);
    const port = await freePort();
    url = `rediss://:${PASSWORD}@127.0.0.1:${port}`;
    server = spawn(
      'redis-server',
      [
        ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1'],
        ...['--tls-cert-file', 'server.pem', '--tls-key-file', 'server.key', '--tls-ca-cert-file', 'ca.pem'],
        ...['--tls-auth-clients', 'no', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no'],
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForLine(server, 'stdout', /Ready to accept connections/);
    worker = await startWorker(url, 'tls', FIXTURES, [], env);
  });

  after(async () => {
    await worker?.stop();
    if (server && server.exitCode === null) {
      const exited = once(server, 'exit');
      server.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a map through a TLS-only Redis, and prints no credentials', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', join(FIXTURES, 'redis-tls-main.mts'), url],
      { env: { ...process.env, ...env }, timeout: 60_000 },
    );
    assert.equal(stdout.trim(), '[1,4,9,16]');
    assert.ok(!stderr.includes(PASSWORD) && !(worker?.log() ?? '').includes(PASSWORD), 'the password is never printed');
  });
});
