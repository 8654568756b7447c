/**
 * Opening an SFTP session as ssh(1) would without options: the host key checked against
 * ~/.ssh/known_hosts before anything is sent, then login with the SSH agent's keys
 * (SSH_AUTH_SOCK) and the unencrypted default keys of ~/.ssh, in that order. Each refusal is
 * a StorageError that says what to do: trust the host (the ssh-keyscan line), or install a key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2, { type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { StorageError } from '../errors.js';
import { checkHostKey, type HostKeyVerdict, knownHostsName } from './known-hosts.js';

/** ssh(1)'s default identities, in its order. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
/** A server that does not answer within this long is reported, not waited on for ever. */
const READY_TIMEOUT_MS = 20_000;

export interface SftpTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The folder of known_hosts and the keys (~/.ssh). */
  readonly sshDir: string;
  /** How messages name the repository. */
  readonly what: string;
}

/** A logged-in SFTP session; `lost` once its connection closed. */
export interface SftpSession {
  readonly client: ssh2.Client;
  readonly sftp: SFTPWrapper;
  lost: boolean;
}

export async function connectSftp(target: SftpTarget): Promise<SftpSession> {
  const knownHosts = join(target.sshDir, 'known_hosts');
  let verdict: HostKeyVerdict | undefined;
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    host: target.host,
    port: target.port,
    username: target.user,
    readyTimeout: READY_TIMEOUT_MS,
    hostVerifier: (key: Buffer) => {
      verdict = checkHostKey(knownHosts, target.host, target.port, key);
      return verdict === 'known';
    },
    authHandler: authMethods(target) as never,
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
      client.connect(config);
      // SFTP is request and reply, each packet written in pieces (length, body, MAC): with Nagle's
      // algorithm on, every round trip waited for the server's delayed ACK, about 40 ms.
      // ssh(1) turns it off the same way for interactive sessions.
      // A second backup reading 3,500 parent trees took 200 s instead of 10 s.
      client.setNoDelay(true);
    });
  } catch (error) {
    client.end();
    throw refused(target, knownHosts, verdict, error as Error & { level?: string });
  }
  const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
    client.sftp((error, session) => (error ? reject(error) : resolve(session))),
  ).catch((error: Error) => {
    client.end();
    throw new StorageError(`${target.what}: the server has no SFTP subsystem (${error.message})`, { cause: error });
  });
  // A connection that drops later fails the calls in flight; nothing must crash on its event.
  client.on('error', () => {});
  // Every request in flight watches for the close (sftp-storage.ts): many at once, by design.
  client.setMaxListeners(0);
  const session: SftpSession = { client, sftp, lost: false };
  client.on('close', () => {
    session.lost = true;
  });
  return session;
}

/** The login methods ssh(1) would try: the agent, then each default key that can be read without a passphrase. */
function authMethods(target: SftpTarget): object[] {
  const methods: object[] = [];
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent) methods.push({ type: 'agent', username: target.user, agent });
  for (const name of DEFAULT_KEYS) {
    const path = join(target.sshDir, name);
    if (!existsSync(path)) continue;
    const parsed = ssh2.utils.parseKey(readFileSync(path));
    // An encrypted key needs a passphrase nobody is asked for: the agent holds such keys.
    if (parsed instanceof Error) continue;
    methods.push({ type: 'publickey', username: target.user, key: readFileSync(path) });
  }
  return methods;
}

function refused(
  target: SftpTarget,
  knownHosts: string,
  verdict: HostKeyVerdict | undefined,
  error: Error & { level?: string },
): StorageError {
  const name = knownHostsName(target.host, target.port);
  const scan = `ssh-keyscan${target.port === 22 ? '' : ` -p ${target.port}`} ${target.host} >> ${knownHosts}`;
  if (verdict === 'unknown') {
    return new StorageError(
      `${target.what}: the host key of ${name} is not in ${knownHosts}, so vigil does not trust it. ` +
        `If ${name} is the machine you mean, check its key's fingerprint (ssh-keygen -lf on the server) and add it: ` +
        `${scan} (or log in once with ssh and accept it)`,
      { cause: error },
    );
  }
  if (verdict === 'changed' || verdict === 'revoked') {
    return new StorageError(
      `${target.what}: the host key of ${name} ${verdict === 'revoked' ? 'is marked @revoked' : 'differs from the one'} in ${knownHosts}: ` +
        'someone may be in the middle, or the server was reinstalled. Nothing was sent. If the change is known, ' +
        `remove the old key (ssh-keygen -R '${name}') and add the new one (${scan})`,
      { cause: error },
    );
  }
  if (error.level === 'client-authentication') {
    return new StorageError(
      `${target.what}: ${target.user}@${target.host} refused every key vigil offered (the SSH agent's, and ` +
        `${DEFAULT_KEYS.map((k) => join(target.sshDir, k)).join(', ')}): add your public key to that account's ` +
        '~/.ssh/authorized_keys on the server, or load the right key into ssh-agent',
      { cause: error },
    );
  }
  return new StorageError(
    `${target.what}: cannot reach ${name} (${error.message}): check the host, the port and the network`,
    {
      cause: error,
    },
  );
}
