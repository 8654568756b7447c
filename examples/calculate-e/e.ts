/**
 * Summing the series for e until told to stop: as a Process subclass, and as a pool task.
 * Both check their exit Event every 1000 terms, with `await exit.wait(0)`, which works on
 * every backend (`isSet()` would be cheaper on threads but throws in a child process).
 */
import { defineTasks, Event, getLogger, Process, SimpleQueue } from 'tandem';

const log = getLogger('calculate-e');

/** Adds 1/0! + 1/1! + 1/2! + ... in rounds of 1000 terms until `exit` is set. */
async function sumUntil(exit: Event): Promise<number> {
  let e = 0;
  let term = 1;
  let n = 0;
  do {
    for (let i = 0; i < 1000; i++) {
      e += term;
      n++;
      term /= n;
    }
  } while (!(await exit.wait(0)));
  log.info({ terms: n }, 'exit event set: stopping');
  return e;
}

/** A Process that sums the series for e until `exit` is set; `get()` waits for its result. */
export class CalculateE extends Process {
  static override moduleUrl = import.meta.url;
  readonly exit = new Event();
  // Fields travel to the child; the queue brings the result back.
  readonly result = new SimpleQueue<number>();

  constructor() {
    super({ name: 'calculate-e' });
  }

  override async run(): Promise<void> {
    await this.result.put(await sumUntil(this.exit));
  }

  /** The value of e the child computed, once it has stopped. */
  get(): Promise<number> {
    return this.result.get();
  }
}

export default defineTasks(import.meta.url, {
  /** The same calculation as a pool task: the result comes back as the task's value. */
  calculateE: (exit: Event) => sumUntil(exit),
});
