/**
 * Checking a server's host key against OpenSSH's known_hosts (sshd(8), "SSH_KNOWN_HOSTS FILE
 * FORMAT"), as ssh(1) does before it sends anything: plain and hashed (|1|salt|hash) host
 * names, `[host]:port` for other ports, `*` and `?` patterns, `!` negations and @revoked keys.
 * ssh2 hands the key over and leaves the decision to its caller; this is that decision.
 * (@cert-authority lines are skipped: vigil accepts plain host keys only.)
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** What known_hosts says of one host's key. */
export type HostKeyVerdict = 'known' | 'unknown' | 'changed' | 'revoked';

/** The name known_hosts files a host under: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Checks `key` (the raw public key blob) of `host`:`port` against the known_hosts file at `path`. */
export function checkHostKey(path: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'unknown';
    throw error;
  }
  const name = knownHostsName(host, port);
  let hostListed = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') ? fields.shift() : undefined;
    const [patterns, , blob] = fields;
    if (patterns === undefined || blob === undefined || marker === '@cert-authority') continue;
    if (!hostMatches(patterns, name)) continue;
    const same = Buffer.from(blob, 'base64').equals(key);
    if (marker === '@revoked') {
      if (same) return 'revoked';
      continue;
    }
    if (same) return 'known';
    hostListed = true;
  }
  return hostListed ? 'changed' : 'unknown';
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (!globMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedMatches(entry: string, name: string): boolean {
  const [, , salt, hash] = entry.split('|');
  if (salt === undefined || hash === undefined) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(name);
}
