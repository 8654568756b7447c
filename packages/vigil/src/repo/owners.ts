/**
 * User and group names of numeric owners, both ways, each looked up once and cached: a tree
 * of a million files has a handful of owners. The metadata calls answer: the native addon
 * asks the C library (getpwuid_r and friends: NSS, so LDAP or systemd users are found too);
 * the JavaScript calls, where the addon is missing, parse /etc/passwd and /etc/group
 * (local-accounts.ts), which know only local accounts.
 */
import { type MetaAddon, metaAddon } from './meta-calls.js';

/** Names of users and groups of this machine, cached for the life of the object. */
export class OwnerNames {
  readonly #calls: MetaAddon;
  readonly #userNames = new Map<number, string | null>();
  readonly #groupNames = new Map<number, string | null>();
  readonly #userIds = new Map<string, number | null>();
  readonly #groupIds = new Map<string, number | null>();

  /** `calls`: the metadata calls that answer (the native addon's where it is built). */
  constructor(calls: MetaAddon = metaAddon()) {
    this.#calls = calls;
  }

  /** The name of user `uid`, or undefined when this machine has none. */
  userName(uid: number): string | undefined {
    return cached(this.#userNames, uid, () => this.#calls.userName(uid));
  }

  /** The name of group `gid`, or undefined when this machine has none. */
  groupName(gid: number): string | undefined {
    return cached(this.#groupNames, gid, () => this.#calls.groupName(gid));
  }

  /** The uid of the user called `name` on this machine, or undefined. */
  userId(name: string): number | undefined {
    return cached(this.#userIds, name, () => this.#calls.userId(name));
  }

  /** The gid of the group called `name` on this machine, or undefined. */
  groupId(name: string): number | undefined {
    return cached(this.#groupIds, name, () => this.#calls.groupId(name));
  }
}

/** `cache`'s answer for `key`, asking `lookUp` the first time; null (no such account) is cached too. */
function cached<K, V>(cache: Map<K, V | null>, key: K, lookUp: () => V | null): V | undefined {
  let value = cache.get(key);
  if (value === undefined) {
    value = lookUp();
    cache.set(key, value);
  }
  return value ?? undefined;
}
