/** Task specs interned under small integer keys, so each worker is sent a spec once. */
import type { TaskSpec } from '../protocol.js';
import type { ScheduledTask } from './job.js';

export class TaskKeys {
  readonly #byIdentity = new Map<string, ScheduledTask>();

  /** `check` runs once per new spec and may throw (a backend refusing a task it cannot run). */
  intern(spec: TaskSpec, check?: (spec: TaskSpec) => void): ScheduledTask {
    const identity = spec.kind === 'module' ? `m:${spec.moduleUrl}#${spec.name}` : `i:${spec.source}`;
    let task = this.#byIdentity.get(identity);
    if (task === undefined) {
      check?.(spec);
      task = { key: this.#byIdentity.size + 1, spec, name: spec.name };
      this.#byIdentity.set(identity, task);
    }
    return task;
  }
}
