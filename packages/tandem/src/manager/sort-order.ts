/**
 * The order ListProxy.sort() puts items in, Python's: numbers by value, strings by code unit,
 * sequences element by element. Kinds Python cannot compare (a string and a number, objects)
 * are refused, rather than sorted by JavaScript's default string conversion (10 before 9).
 */

/** Negative, zero or positive as `a` sorts before, with or after `b`; TypeError if they cannot be compared. */
export function compareForSort(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) {
    const x = typeof a === 'boolean' ? Number(a) : a;
    const y = typeof b === 'boolean' ? Number(b) : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const order = compareForSort(a[i], b[i]);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  throw new TypeError(`sort(): cannot order ${kindOf(a)} and ${kindOf(b)} (Python refuses to compare them too)`);
}

function isNumeric(value: unknown): value is number | bigint | boolean {
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
