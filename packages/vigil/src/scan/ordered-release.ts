/**
 * Releases records in sequence order though they arrive in completion order. It holds only
 * records that finished ahead of an earlier one still being hashed; the pipeline holds the
 * walk back when that backlog passes a limit, so memory stays bounded.
 */
export class OrderedRelease<T> {
  readonly #held = new Map<number, T>();
  readonly #emit: (record: T) => void;
  #next = 0;

  constructor(emit: (record: T) => void) {
    this.#emit = emit;
  }

  put(seq: number, record: T): void {
    if (seq !== this.#next) {
      this.#held.set(seq, record);
      return;
    }
    this.#emit(record);
    this.#next++;
    for (let held = this.#held.get(this.#next); held !== undefined; held = this.#held.get(this.#next)) {
      this.#held.delete(this.#next);
      this.#emit(held);
      this.#next++;
    }
  }

  /** Records waiting for an earlier one. */
  get held(): number {
    return this.#held.size;
  }
}
