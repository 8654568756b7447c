/**
 * Requests to a storage that do not depend on each other (the sizes of packs to remove, the
 * snapshot and index files to read), overlapped instead of made one after another: on a
 * remote repository each waits a round trip, and the waits add up over hundreds of files.
 * A bounded number runs at once, as uploads do, so a large repository does not open
 * thousands of requests together.
 */

/** Requests in flight per call: enough to hide a loopback or LAN round trip, few enough for any server. */
export const REQUESTS_IN_FLIGHT = 16;

/**
 * `step` of every item, at most `limit` at once; the results in the order of `items`. The
 * first failure is thrown once the steps already started have settled (none is left running
 * behind the caller's back), and no new step starts after it.
 */
export async function boundedMap<T, R>(
  items: readonly T[],
  step: (item: T, index: number) => Promise<R>,
  limit: number = REQUESTS_IN_FLIGHT,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let failure: unknown;
  const lane = async () => {
    while (!failed && next < items.length) {
      const at = next++;
      try {
        results[at] = await step(items[at] as T, at);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failed) throw failure;
  return results;
}
