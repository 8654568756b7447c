/** Main side: the error a call sees when its arguments cannot be sent to a worker. */
import { ArgumentCloneError } from '../errors.js';
import { findUncloneable } from '../util/uncloneable.js';
import type { Job } from './job.js';

/** Names the first argument of `job` that cannot be cloned; `cause` is the send's own error. */
export function argumentCloneError(job: Job, cause: unknown): ArgumentCloneError {
  for (let i = 0; i < job.items.length; i++) {
    const args = job.items[i] as readonly unknown[];
    for (let a = 0; a < args.length; a++) {
      const found = findUncloneable(args[a]);
      if (found) {
        return new ArgumentCloneError({
          task: job.task.name,
          index: job.firstIndex + i,
          argument: a,
          path: found.path,
          what: found.what,
          cause,
        });
      }
    }
  }
  // Every argument clones alone: the transfer list (or the backend's encoding) refused it.
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ArgumentCloneError({
    task: job.task.name,
    index: job.firstIndex,
    argument: undefined,
    path: '',
    what: `not sendable (${reason})`,
    cause,
  });
}
