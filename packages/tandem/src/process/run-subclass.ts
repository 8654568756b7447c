/**
 * Inside a worker: how a Process subclass's run() is started. The parent sends the class's
 * module URL, its export name and the instance's fields; we import the module, find the
 * class, make an instance without running its constructor (as unpickling does in Python),
 * give it the fields and call run().
 */

import { importWithParentLoader } from '../entry/loader-hooks.js';
import { containsDescriptor } from '../shared/shareable.js';
import { defineTasks } from '../tasks.js';

export default defineTasks(import.meta.url, {
  async runSubclass(moduleUrl: string, className: string, fields: Record<string, unknown>): Promise<void> {
    const module = (await importWithParentLoader(moduleUrl)) as Record<string, unknown>;
    const found = Object.values(module).find(
      (value): value is new () => { run(): unknown } => typeof value === 'function' && value.name === className,
    );
    if (found === undefined) {
      throw new Error(`${moduleUrl} does not export a class named ${className}: export it so the worker can find it`);
    }
    const instance = Object.create(found.prototype) as { run(): unknown };
    // Shared objects among the fields arrive as descriptors (shared/marshal.ts).
    const hasShared = containsDescriptor(fields);
    Object.assign(instance, hasShared ? (await import('../shared/revive.js')).reviveFields(fields) : fields);
    await instance.run();
  },
});
