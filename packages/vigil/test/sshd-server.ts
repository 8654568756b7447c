/**
 * Test only: Debian's OpenSSH server on a free loopback port, with a throwaway host key, a
 * user key for root, and a HOME whose ~/.ssh holds that key and a known_hosts that trusts the
 * server: point a vigil at it with `env` and the user's real ~/.ssh is never read. Started in
 * the foreground (-D -e), ready once it says it listens; `stop` kills it and waits for its exit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../tandem/test/fixtures/redis-harness.ts';

export interface SshServer {
  readonly port: number;
  /** Environment for a vigil that logs in as root with the test key and trusts the server. */
  readonly env: NodeJS.ProcessEnv;
  /** A HOME whose known_hosts does not list the server (for the "unknown host" case). */
  readonly strangerEnv: NodeJS.ProcessEnv;
  /** A HOME with a key the server does not accept (for the "wrong key" case). */
  readonly wrongKeyEnv: NodeJS.ProcessEnv;
  /** `sftp:root@127.0.0.1:PORT:PATH` */
  url(path: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function sshServer(dir: string): Promise<SshServer> {
  const keygen = (path: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
  keygen(join(dir, 'host_key'));
  const home = (name: string) => {
    const ssh = join(dir, name, '.ssh');
    mkdirSync(ssh, { recursive: true, mode: 0o700 });
    keygen(join(ssh, 'id_ed25519'));
    return join(dir, name);
  };
  const trusted = home('home');
  const stranger = home('stranger');
  const wrong = home('wrong');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(trusted, '.ssh', 'id_ed25519.pub')));
  writeFileSync(join(stranger, '.ssh', 'authorized_keys'), '');
  execFileSync('cp', [join(trusted, '.ssh', 'id_ed25519'), join(stranger, '.ssh', 'id_ed25519')]);
  const port = await freePort();
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  for (const h of [trusted, wrong]) writeFileSync(join(h, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  // sshd's privilege separation needs this folder, which only the package's service makes.
  mkdirSync('/run/sshd', { recursive: true });
  const envFor = (h: string) => ({ HOME: h, SSH_AUTH_SOCK: '' });
  let child: ChildProcess | undefined;
  return {
    port,
    env: envFor(trusted),
    strangerEnv: envFor(stranger),
    wrongKeyEnv: envFor(wrong),
    url: (path) => `sftp:root@127.0.0.1:${port}:${path}`,
    async start() {
      child = spawn(
        '/usr/sbin/sshd',
        [
          '-D',
          '-e',
          '-f',
          '/dev/null',
          '-p',
          String(port),
          ...['ListenAddress=127.0.0.1', `HostKey=${join(dir, 'host_key')}`]
            .concat([`AuthorizedKeysFile=${join(dir, 'authorized_keys')}`, 'PermitRootLogin=prohibit-password'])
            .concat(['PasswordAuthentication=no', 'KbdInteractiveAuthentication=no', 'StrictModes=no', 'UsePAM=no'])
            .concat(['PidFile=none', 'Subsystem=sftp internal-sftp', 'MaxStartups=100'])
            .flatMap((option) => ['-o', option]),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let said = '';
      await new Promise<void>((resolve, reject) => {
        child?.stderr?.on('data', (chunk: Buffer) => {
          said += chunk.toString();
          if (said.includes('Server listening')) resolve();
        });
        child?.once('exit', (code) => reject(new Error(`sshd exited with ${code}: ${said}`)));
      });
    },
    async stop() {
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      // Each connection is served by a process of its own, in a session of its own: the
      // server is down only once they are gone too. The listener is stopped first, so no
      // session is forked after they are listed: one forked after the list would survive the
      // kill, and a new session holds the listening socket until it closes it, so a restart on
      // the same port (the reconnection test) could fail with "Address already in use".
      const listener = child.pid as number;
      try {
        process.kill(listener, 'SIGSTOP');
      } catch {}
      const sessions = descendants(listener);
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      for (const pid of sessions) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      await exited;
      // A killed process closes its sockets as it dies, after kill() returns: wait for each.
      await Promise.all(sessions.map(gone));
    },
  };
}

/**
 * Resolves once process `pid` has died (it is gone, or a zombie: its sockets are closed then).
 * SIGKILL takes effect within milliseconds; the bound only turns a process that will not die
 * into an error naming it instead of a hung suite.
 */
async function gone(pid: number): Promise<void> {
  for (let waited = 0; ; waited += 5) {
    let state: string;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    if (waited > 10_000) throw new Error(`sshd session ${pid} did not die within 10 s of SIGKILL (state ${state})`);
    await delay(5);
  }
}

/** Every process below `pid` (from /proc: each stat names its parent). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {}
  }
  const found: number[] = [];
  const visit = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      found.push(c);
      visit(c);
    }
  };
  visit(pid);
  return found;
}
