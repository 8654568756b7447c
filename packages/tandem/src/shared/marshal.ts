/**
 * Main side: replaces the shared objects among a job's top-level arguments with descriptors
 * (see shareable.ts). The check is one `instanceof` per argument, and a job without shared
 * objects is sent untouched, so tiny tasks pay next to nothing for this.
 */
import { registerBrokered } from './broker.js';
import {
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
  for (let i = 0; i < items.length; i++) {
    const args = items[i] as readonly unknown[];
    for (let j = 0; j < args.length; j++) {
      if (args[j] instanceof Shareable) {
        const copy: (readonly unknown[])[] = items.slice(0, i);
        for (let k = i; k < items.length; k++) copy.push(marshalArgs(items[k] as readonly unknown[], form));
        return copy;
      }
    }
  }
  return undefined;
}

function marshalArgs(args: readonly unknown[], form: MarshalForm): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let j = 0; j < args.length; j++) {
    const arg = args[j];
    if (arg instanceof Shareable) {
      copy ??= [...args];
      copy[j] = marshal(arg, form);
    }
  }
  return copy ?? args;
}

/** An object's own fields with shared objects replaced (Process subclass fields), or undefined if none. */
export function marshalFields(fields: Record<string, unknown>, form: MarshalForm): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Shareable) {
      copy ??= { ...fields };
      copy[key] = marshal(value, form);
    }
  }
  return copy;
}
