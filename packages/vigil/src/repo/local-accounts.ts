/**
 * The accounts of this machine as /etc/passwd and /etc/group list them: what the JavaScript
 * metadata calls (meta-calls-js.ts) answer user and group names from, node having no
 * getpwuid. They know only local accounts; the native addon asks the C library, whose NSS
 * sources (LDAP, systemd-userdb) know more.
 */
import { readFileSync } from 'node:fs';

/** One file's names by id and ids by name. */
export interface AccountTable {
  readonly byId: Map<number, string>;
  readonly byName: Map<string, number>;
}

/** Parses passwd or group lines: `name:password:id:...`; malformed lines are passed over. */
export function parseAccounts(text: string): AccountTable {
  const byId = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (!name || id === undefined || !/^\d+$/.test(id) || line.startsWith('#')) continue;
    const number = Number(id);
    // The first line wins, as getpwuid and getpwnam answer.
    if (!byId.has(number)) byId.set(number, name);
    if (!byName.has(name)) byName.set(name, number);
  }
  return { byId, byName };
}

/** The table of `path` (/etc/passwd or /etc/group); an empty one when it cannot be read. */
export function readAccounts(path: string): AccountTable {
  try {
    return parseAccounts(readFileSync(path, 'utf8'));
  } catch {
    return parseAccounts(''); // no such file: no names known, owners are kept by number
  }
}
