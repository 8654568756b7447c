/**
 * Node's `send` (advanced serialization) throws a DataCloneError at once on a value it cannot
 * clone, and the caller turns that into the call's own error (ArgumentCloneError on the main
 * side, ResultCloneError in a child). Deno's (2.9) throws nothing there and fails later,
 * outside any caller, as an uncaught error that ends the program. On Deno a message is
 * serialized once first, so it throws where Node's would; elsewhere this costs nothing.
 */
import { serialize } from 'node:v8';
import { RUNTIME } from '../runtime.js';

export const checkSendable: (message: unknown) => void =
  RUNTIME === 'deno'
    ? (message) => {
        serialize(message);
      }
    : () => {};
