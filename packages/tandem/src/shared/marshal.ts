/**
 * Main side: replaces the shared objects in a job's arguments, wherever they sit (top level,
 * nested in arrays, plain objects, Maps, Sets or class instances), with descriptors (see
 * shareable.ts). Arguments without shared objects are sent untouched: a primitive costs one
 * `typeof`, a container one walk that looks at each member once; typed arrays, buffers,
 * Dates and the like are not entered.
 */
import { registerBrokered } from './broker-registry.js';
import {
  anyShareableMade,
  BROKER_ID,
  BROKER_META,
  DESCRIPTOR_TAG,
  MEMORY_STATE,
  SHARED_KIND,
  Shareable,
  type SharedDescriptor,
} from './shareable.js';

/** 'memory' for workers that share our memory (threads, inline); 'broker' for child processes. */
export type MarshalForm = 'memory' | 'broker';

/** The descriptor `object` travels as. Nested shared objects (a Value's lock) are marshalled by their owner. */
export function marshal(object: Shareable, form: MarshalForm): SharedDescriptor {
  const kind = object[SHARED_KIND];
  if (form === 'memory') {
    const state = object[MEMORY_STATE]();
    if (state !== undefined) return { [DESCRIPTOR_TAG]: 'memory', kind, state };
  }
  return { [DESCRIPTOR_TAG]: 'broker', kind, id: registerBrokered(object), meta: object[BROKER_META]() };
}

/** A nested shared object (or undefined) in the form its owner is being sent in. */
export function marshalNested(object: Shareable | undefined, form: MarshalForm): SharedDescriptor | undefined {
  return object === undefined ? undefined : marshal(object, form);
}

/** The argument lists with shared objects replaced, or undefined when there were none. */
export function marshalItems(
  items: readonly (readonly unknown[])[],
  form: MarshalForm,
): (readonly unknown[])[] | undefined {
  const replace = (object: Shareable) => marshal(object, form);
  for (let i = 0; i < items.length; i++) {
    if (containsShared(items[i], undefined)) {
      const copy: (readonly unknown[])[] = items.slice(0, i);
      for (let k = i; k < items.length; k++) copy.push(replaceShared(items[k], replace, same) as unknown[]);
      return copy;
    }
  }
  return undefined;
}

/** An object's own fields with shared objects replaced (Process subclass fields), or undefined if none. */
export function marshalFields(fields: Record<string, unknown>, form: MarshalForm): Record<string, unknown> | undefined {
  if (!containsShared(fields, undefined)) return undefined;
  return replaceShared(fields, (object) => marshal(object, form), same) as Record<string, unknown>;
}

/**
 * A worker's side of a brokered call whose arguments hold shared objects (storing a proxy or
 * a Lock in a Manager dict): each travels to the parent as the descriptor the parent can
 * revive. A proxy goes back as the id the parent keeps its real object under; an object over
 * shared memory goes as memory, from a thread (child processes share none with the parent,
 * so an object made in one cannot be sent up). Undefined when `args` hold none.
 */
export function marshalForParent(args: readonly unknown[], sharesMemory: boolean): unknown[] | undefined {
  if (!containsShared(args, undefined)) return undefined;
  return replaceShared(args, (object) => descriptorForParent(object, sharesMemory), same) as unknown[];
}

function descriptorForParent(object: Shareable, sharesMemory: boolean): SharedDescriptor {
  const kind = object[SHARED_KIND];
  const id = object[BROKER_ID];
  if (id !== undefined) return { [DESCRIPTOR_TAG]: 'broker', kind, id, meta: object[BROKER_META]() };
  const state = sharesMemory ? object[MEMORY_STATE]() : undefined;
  if (state !== undefined) return { [DESCRIPTOR_TAG]: 'memory', kind, state };
  throw new TypeError(
    `a ${kind} made in a worker cannot be sent to the process that started it` +
      (sharesMemory ? '' : ' (a child process shares no memory with its parent)') +
      ': make it in the parent and pass it to the worker',
  );
}

/** A brokered call's result with shared objects replaced for `form`, or undefined when it holds none. */
export function marshalResult(value: unknown, form: MarshalForm): unknown {
  if (!containsShared(value, undefined)) return undefined;
  return replaceShared(value, (object) => marshal(object, form), same);
}

/**
 * A copy of `value` in which every shared object is the same object, not a copy: how a
 * Manager dict or list keeps the proxies stored in it (Python's nested proxies), while
 * everything else is copied as structured clone would.
 */
export function cloneKeepingShared<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (!containsShared(value, undefined)) return structuredClone(value);
  return replaceShared(
    value,
    (object) => object,
    (leaf) => structuredClone(leaf),
  ) as T;
}

function same<T>(value: T): T {
  return value;
}

function isPrimitive(value: unknown): boolean {
  return (typeof value !== 'object' || value === null) && typeof value !== 'function';
}

/** Values structured clone copies whole and that cannot hold a shared object. */
function isOpaque(value: object): boolean {
  return (
    ArrayBuffer.isView(value) ||
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer ||
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Error
  );
}

/** Whether a shared object is reachable from `value`; `seen` guards against cycles. */
function containsShared(value: unknown, seen: Set<object> | undefined): boolean {
  if (typeof value !== 'object' || value === null || !anyShareableMade()) return false;
  // The common case, an argument list of plain values, needs no cycle guard (no Set per call).
  if (seen === undefined && Array.isArray(value) && value.every(isPrimitive)) return false;
  if (value instanceof Shareable) return true;
  if (isOpaque(value)) return false;
  const visited = seen ?? new Set<object>();
  if (visited.has(value)) return false;
  visited.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const member = value[i];
      if (typeof member === 'object' && member !== null && containsShared(member, visited)) return true;
    }
    return false;
  }
  if (value instanceof Map) {
    for (const [key, member] of value) if (containsShared(key, visited) || containsShared(member, visited)) return true;
    return false;
  }
  if (value instanceof Set) {
    for (const member of value) if (containsShared(member, visited)) return true;
    return false;
  }
  for (const key of Object.keys(value)) {
    if (containsShared((value as Record<string, unknown>)[key], visited)) return true;
  }
  return false;
}

/**
 * A copy of `value` with every shared object replaced by `replace(object)` and every other
 * leaf by `leaf(value)`. Containers are copied (the caller's objects are never changed);
 * `copies` maps each container to its copy, so shared references and cycles come out as they
 * went in. Class instances become plain objects with their own fields, as structured clone
 * would make them anyway.
 */
function replaceShared(
  value: unknown,
  replace: (object: Shareable) => unknown,
  leaf: (value: unknown) => unknown,
  copies = new Map<object, unknown>(),
): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? leaf(value) : value;
  if (value instanceof Shareable) return replace(value);
  if (isOpaque(value)) return leaf(value);
  const known = copies.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    copies.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = replaceShared(value[i], replace, leaf, copies);
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    copies.set(value, copy);
    for (const [key, member] of value)
      copy.set(replaceShared(key, replace, leaf, copies), replaceShared(member, replace, leaf, copies));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    copies.set(value, copy);
    for (const member of value) copy.add(replaceShared(member, replace, leaf, copies));
    return copy;
  }
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const key of Object.keys(value)) {
    copy[key] = replaceShared((value as Record<string, unknown>)[key], replace, leaf, copies);
  }
  return copy;
}
