import type { SerializedError } from '../protocol.js';

const MAX_CAUSE_DEPTH = 8;

/** Flattens anything thrown into a SerializedError (worker side). */
export function serializeError(thrown: unknown, depth = 0): SerializedError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    const cause = (thrown as { cause?: unknown }).cause;
    return {
      name: thrown.name,
      message: thrown.message,
      stack: thrown.stack,
      ...(code !== undefined && isCloneablePrimitive(code) ? { code } : {}),
      ...(cause !== undefined && depth < MAX_CAUSE_DEPTH ? { cause: serializeError(cause, depth + 1) } : {}),
    };
  }
  return { name: 'NonError', message: describe(thrown), stack: undefined };
}

/** Rebuilds a plain Error carrying the remote name, message, stack and cause (main side). */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message, serialized.cause ? { cause: deserializeError(serialized.cause) } : {});
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  if (serialized.code !== undefined) (error as { code?: unknown }).code = serialized.code;
  return error;
}

function isCloneablePrimitive(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return `thrown value: ${JSON.stringify(value)}`;
  } catch {
    return `thrown value: ${String(value)}`;
  }
}
