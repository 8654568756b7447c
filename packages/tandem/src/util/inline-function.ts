/** Compiling self-contained functions from their source, on either side of the wall. */
import { InlineTaskError } from '../errors.js';
import type { AnyFunction } from '../tasks.js';

/**
 * Compiles the source of a self-contained function. `__name` is provided because
 * esbuild-based loaders (tsx) wrap named inner functions in calls to that helper.
 */
export function compileInline(source: string): AnyFunction {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new InlineTaskError('a native or bound function cannot be sent to a worker');
  }
  let fn: unknown;
  try {
    fn = new Function('__name', `"use strict"; return (${source});`)(keepName);
  } catch (first) {
    // Method shorthand (`square(x) { ... }`) is not an expression on its own.
    try {
      fn = new Function('__name', `"use strict"; const o = ({ ${source} }); return o[Object.keys(o)[0]];`)(keepName);
    } catch {
      throw new InlineTaskError('the inline function could not be compiled in the worker', { cause: first });
    }
  }
  if (typeof fn !== 'function') throw new InlineTaskError('the inline task source did not evaluate to a function');
  return fn as AnyFunction;
}

function keepName<T>(target: T): T {
  return target;
}
