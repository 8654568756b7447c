/** Main side: the error a call sees when one of its items threw in a worker. */
import { InlineTaskError, ResultCloneError, TaskError } from '../errors.js';
import { RESULT_CLONE_CODE, type SerializedError } from '../protocol.js';
import { deserializeError } from '../util/remote-error.js';
import type { Job } from './job.js';

/**
 * A TaskError for item `job.firstIndex + succeeded`; for an inline function that could not
 * see a name it used (a closure variable, an import), an InlineTaskError that says why.
 */
export function taskErrorFrom(job: Job, remote: SerializedError, succeeded: number): Error {
  if (remote.code === RESULT_CLONE_CODE && remote.name === 'ResultCloneError') {
    return new ResultCloneError({ task: job.task.name, index: job.firstIndex + succeeded, detail: remote.message });
  }
  const error = new TaskError({
    task: job.task.name,
    index: job.firstIndex + succeeded,
    remoteName: remote.name,
    message: remote.message,
    remoteStack: remote.stack,
    remoteCode: remote.code,
    cause: remote.cause ? deserializeError(remote.cause) : undefined,
  });
  if (job.task.spec.kind === 'inline' && (remote.name === 'ReferenceError' || remote.name === 'InlineTaskError')) {
    return new InlineTaskError(`the inline function failed in the worker with "${remote.name}: ${remote.message}"`, {
      cause: error,
    });
  }
  return error;
}
