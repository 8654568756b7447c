/**
 * SharedCells: the base of the sync objects whose whole shared state is one Int32Array of
 * cells (Lock, RLock, Event). A worker revives such an object by attaching to the very same
 * cells, so that step and the state the object travels as are written once, here.
 */
import * as shareable from '../shared/shareable.js';

/** A shared object whose protocol works on one Int32Array of cells. Not exported by tandem. */
export abstract class SharedCells extends shareable.Shareable {
  /** The shared cells the protocol works on; the slots of each kind are named in shared/layout.ts. */
  protected cells!: Int32Array;

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return this.cells;
  }

  /**
   * @internal Fills an object made without its constructor: the descriptor's cells (none on
   * a proxy for an object in the parent process) and the link to the parent.
   */
  attachTo(cells: Int32Array | undefined, remote: shareable.RemoteRef | undefined): this {
    if (cells) this.cells = cells;
    this[shareable.REMOTE] = remote;
    return this;
  }
}

/** Registers how a worker revives a kind of SharedCells: an object of `prototype` on the descriptor's cells. */
export function registerCellsKind(kind: string, prototype: SharedCells): void {
  shareable.registerKind(kind, (d, remote) =>
    (Object.create(prototype) as SharedCells).attachTo(shareable.memoryState<Int32Array>(d), remote),
  );
}
