/**
 * Run-time checks of options, for callers without TypeScript (JavaScript, or values built at
 * run time): a misspelt name or a value of the wrong kind is a TypeError that names the
 * option, instead of a default silently taken or a failure far from its cause.
 */

/** Throws unless `options` is undefined or an object whose every key is one of `known`. */
export function checkOptionNames(owner: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${owner}: the options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${owner}: unknown option "${key}"; the options are ${known.join(', ')}`);
    }
  }
}

type Kind = 'boolean' | 'string' | 'function' | 'object';

/** Throws unless `value` is undefined or of `kind` ('object': a non-null object, not an array). */
export function checkOptionKind(owner: string, name: string, value: unknown, kind: Kind): void {
  if (value === undefined) return;
  const ok =
    kind === 'object' ? value !== null && typeof value === 'object' && !Array.isArray(value) : typeof value === kind;
  if (!ok) throw new TypeError(`${owner}: option ${name} must be ${article(kind)}, got ${describeValue(value)}`);
}

/** Throws unless `value` is undefined or an array of strings. */
export function checkStringArray(owner: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`${owner}: option ${name} must be an array of strings, got ${describeValue(value)}`);
  }
}

/** How an error message shows a value the caller gave: `"navalue" (a string)`, `5 (a number)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value)} (a string)`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${String(value)} (${article(typeof value)})`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default: {
      const name = (value as { constructor?: { name?: string } }).constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
  }
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}
