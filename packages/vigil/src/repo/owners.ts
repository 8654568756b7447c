/**
 * User and group names of numeric owners, both ways, each looked up once and cached: a tree
 * of a million files has a handful of owners. Node has no getpwuid, so the addon asks the C
 * library (getpwuid_r and friends: NSS, so LDAP or systemd users are found too); without the
 * addon, /etc/passwd and /etc/group are parsed, which knows only local accounts.
 */
import { readFileSync } from 'node:fs';
import { metaAddonOrUndefined } from './meta-calls.js';

type Table = { readonly byId: Map<number, string>; readonly byName: Map<string, number> };

/** Parses passwd or group lines: `name:password:id:...`; malformed lines are passed over. */
export function parseAccounts(text: string): Table {
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

function readTable(path: string): Table {
  try {
    return parseAccounts(readFileSync(path, 'utf8'));
  } catch {
    return parseAccounts(''); // no such file: no names known, owners are kept by number
  }
}

/** Names of users and groups of this machine, cached for the life of the object. */
export class OwnerNames {
  readonly #userNames = new Map<number, string | null>();
  readonly #groupNames = new Map<number, string | null>();
  readonly #userIds = new Map<string, number | null>();
  readonly #groupIds = new Map<string, number | null>();
  #passwd: Table | undefined;
  #group: Table | undefined;

  #users(): Table {
    this.#passwd ??= readTable('/etc/passwd');
    return this.#passwd;
  }

  #groups(): Table {
    this.#group ??= readTable('/etc/group');
    return this.#group;
  }

  /** The name of user `uid`, or undefined when this machine has none. */
  userName(uid: number): string | undefined {
    let name = this.#userNames.get(uid);
    if (name === undefined) {
      const addon = metaAddonOrUndefined();
      name = addon ? addon.userName(uid) : (this.#users().byId.get(uid) ?? null);
      this.#userNames.set(uid, name);
    }
    return name ?? undefined;
  }

  /** The name of group `gid`, or undefined when this machine has none. */
  groupName(gid: number): string | undefined {
    let name = this.#groupNames.get(gid);
    if (name === undefined) {
      const addon = metaAddonOrUndefined();
      name = addon ? addon.groupName(gid) : (this.#groups().byId.get(gid) ?? null);
      this.#groupNames.set(gid, name);
    }
    return name ?? undefined;
  }

  /** The uid of the user called `name` on this machine, or undefined. */
  userId(name: string): number | undefined {
    let id = this.#userIds.get(name);
    if (id === undefined) {
      const addon = metaAddonOrUndefined();
      id = addon ? addon.userId(name) : (this.#users().byName.get(name) ?? null);
      this.#userIds.set(name, id);
    }
    return id ?? undefined;
  }

  /** The gid of the group called `name` on this machine, or undefined. */
  groupId(name: string): number | undefined {
    let id = this.#groupIds.get(name);
    if (id === undefined) {
      const addon = metaAddonOrUndefined();
      id = addon ? addon.groupId(name) : (this.#groups().byName.get(name) ?? null);
      this.#groupIds.set(name, id);
    }
    return id ?? undefined;
  }
}
