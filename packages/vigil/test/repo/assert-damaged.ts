/** One assertion for the "damaged" errors of the repository's readers (packs, index files). */
import assert from 'node:assert/strict';

/**
 * Asserts that `fn` throws an instance of `type` with the error code `code` and a message
 * matching `reason`: the class, the code and the words a user sees, each checked.
 */
export async function assertThrowsDamaged(
  fn: () => unknown,
  type: abstract new (...args: never[]) => Error & { code: string },
  code: string,
  reason: RegExp,
): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (error: unknown) => {
      assert.ok(error instanceof type, `a ${type.name}, not ${error}`);
      assert.equal(error.code, code);
      assert.match(error.message, reason);
      return true;
    },
  );
}
