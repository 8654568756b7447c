/** The element types of Value and SharedArray, and how each is read and written. */

/** Element type of a Value or SharedArray. */
export type NumericType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'float32'
  | 'float64'
  | 'bigint64'
  | 'biguint64';

/** The JavaScript type of one element: bigint for the 64-bit integer types, number otherwise. */
export type ElementOf<T extends NumericType> = T extends 'bigint64' | 'biguint64' ? bigint : number;

/** The typed array over elements of type T. */
export type TypedArrayOf<T extends NumericType> = {
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  float32: Float32Array;
  float64: Float64Array;
  bigint64: BigInt64Array;
  biguint64: BigUint64Array;
}[T];

type AnyTypedArray = TypedArrayOf<NumericType>;
type TypedArrayClass = { new (buffer: ArrayBufferLike): AnyTypedArray; readonly BYTES_PER_ELEMENT: number };

const CLASSES: Record<NumericType, TypedArrayClass> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  bigint64: BigInt64Array,
  biguint64: BigUint64Array,
};

/** The typed array class of a type name; throws a TypeError naming the valid ones otherwise. */
export function typedArrayClass(type: NumericType): TypedArrayClass {
  const found = Object.hasOwn(CLASSES, type) ? CLASSES[type] : undefined;
  if (found === undefined) {
    throw new TypeError(`unknown element type "${String(type)}": use one of ${Object.keys(CLASSES).join(', ')}`);
  }
  return found;
}

/** A view over `length` elements of `type` on a new SharedArrayBuffer. */
export function newSharedView<T extends NumericType>(type: T, length: number): TypedArrayOf<T> {
  const Class = typedArrayClass(type);
  return new Class(new SharedArrayBuffer(Math.max(1, length) * Class.BYTES_PER_ELEMENT)) as TypedArrayOf<T>;
}

/** A view of `type` over an existing shared buffer (in the worker). */
export function viewOf<T extends NumericType>(type: T, buffer: SharedArrayBuffer): TypedArrayOf<T> {
  return new (typedArrayClass(type))(buffer) as TypedArrayOf<T>;
}

/**
 * Whether Atomics works on the type (the integer ones). Their single reads and writes are
 * atomic; float32 and float64 are plain aligned accesses, which do not tear on the
 * platforms Node runs on, though the JavaScript memory model does not promise it: use the
 * lock for anything that must be exact.
 */
export function isAtomicType(type: NumericType): boolean {
  return type !== 'float32' && type !== 'float64';
}

/** Reads element `i`: with Atomics.load when the type allows. */
export function readElement<T extends NumericType>(view: TypedArrayOf<T>, atomic: boolean, i: number): ElementOf<T> {
  return (atomic ? Atomics.load(view as Int32Array, i) : view[i]) as ElementOf<T>;
}

/** Writes element `i`: with Atomics.store when the type allows. */
export function writeElement<T extends NumericType>(
  view: TypedArrayOf<T>,
  atomic: boolean,
  i: number,
  value: ElementOf<T>,
): void {
  if (atomic) Atomics.store(view as Int32Array, i, value as number);
  else (view as Float64Array)[i] = value as number;
}

/** Throws a TypeError unless `value` can be an element of `type` (a bigint for the 64-bit types, else a number). */
export function checkElement(owner: string, type: NumericType, value: unknown): void {
  const wantsBigint = type === 'bigint64' || type === 'biguint64';
  if (wantsBigint ? typeof value !== 'bigint' : typeof value !== 'number') {
    const shown =
      typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value);
    throw new TypeError(
      `${owner}: ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} element must be ${wantsBigint ? 'a bigint' : 'a number'}, got ${shown} (${typeof value})`,
    );
  }
}
