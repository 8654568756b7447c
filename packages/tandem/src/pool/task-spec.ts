/** Main side: what to send a worker so it can find a function. */
import type { TaskSpec } from '../protocol.js';
import { type AnyFunction, taskLocation } from '../tasks.js';
import { compileInline } from '../util/inline-function.js';

const specs = new WeakMap<AnyFunction, TaskSpec>();

/**
 * A task registered with defineTasks is found by module URL and name; any other function
 * is sent as source and must be self-contained (checked in the worker when it runs).
 */
export function taskSpecOf(fn: AnyFunction): TaskSpec {
  let spec = specs.get(fn);
  if (spec) return spec;
  if (typeof fn !== 'function') {
    throw new TypeError(
      `expected a task (a function from defineTasks, or a self-contained function), got ${typeof fn}`,
    );
  }
  const location = taskLocation(fn);
  if (location) {
    spec = { kind: 'module', moduleUrl: location.moduleUrl, name: location.name };
  } else {
    const source = fn.toString();
    compileInline(source); // fail here, with the caller's stack, if it cannot compile
    spec = { kind: 'inline', source, name: fn.name ? `${fn.name} (inline)` : '<inline>' };
  }
  specs.set(fn, spec);
  return spec;
}
