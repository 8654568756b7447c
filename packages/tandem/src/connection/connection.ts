/**
 * Connection: one end of a Pipe, as Python's multiprocessing.connection.Connection.
 *
 * Each direction of a pipe is a Queue (queue/queue.ts: a byte ring in shared memory with its
 * own wait protocol), so worker threads send and receive without the main thread, and a
 * child process's end is a proxy whose members the parent runs (shared/broker.ts). The two
 * ends' closed flags (PIPE_CLOSED_0/1, shared/layout.ts) say which end was closed; closing an
 * end closes both of its queues, so the peer's recv() drains what was sent and then fails
 * with EOFError, and the peer's send() fails with BrokenPipeError. Queue.close() bumps the
 * queues' sequence cells under their mutex and wakes every sleeper, so a peer blocked in
 * recv() at that moment wakes and sees it (see queue.ts for why that ordering is race-free).
 *
 * An end is one object for every holder: passed to a worker, it is the same end there, and
 * close() anywhere closes it everywhere (Python closes only that process's copy).
 */
import { isMainThread } from 'node:worker_threads';
import { BrokenPipeError, EOFError, InvalidStateError, QueueClosedError, QueueFullError } from '../errors.js';
import { POLL_STEPS, type Queue, WAKE_POLLERS } from '../queue/queue.js';
import { PIPE_CLOSED_0, PIPE_CLOSED_1 } from '../shared/layout.js';
import { marshalNested } from '../shared/marshal.js';
import * as shareable from '../shared/shareable.js';
import { assertMayBlock, brokeredSyncError, deadlineOf, runAsync, runSync } from '../sync/waits.js';
import { waitAmong } from './wait.js';

/** Which end of its pipe a Connection is, and what it may do. */
interface EndInfo {
  /** 0 or 1: the index of this end's flag among the PIPE_CLOSED_* cells. */
  readonly side: 0 | 1;
  readonly readable: boolean;
  readonly writable: boolean;
}

interface ConnectionState extends EndInfo {
  readonly ends: Int32Array;
  readonly inbound: shareable.SharedDescriptor | undefined;
  readonly outbound: shareable.SharedDescriptor | undefined;
}

/** @internal What waitConnections() asks of a Connection in this thread. */
export const POLL_UNTIL: unique symbol = Symbol('tandem.pollUntil');
/** @internal Whether recv() would not wait now. */
export const READY_NOW: unique symbol = Symbol('tandem.readyNow');
/** @internal Wakes the polls POLL_UNTIL started, so that cancelled ones end. */
export const STOP_POLLS: unique symbol = Symbol('tandem.stopPolls');
/** @internal The parent's waitConnections() for a child's proxies: see connection/wait.ts. */
export const WAIT_AMONG = 'waitAmong';

/**
 * One end of a {@link Pipe}: `send()` values to the other end, `recv()` what it sent, in
 * order. Values are structured-cloneable data (not tandem's shared objects), copied across.
 * Pass an end to a pool task, a Process's args or fields on any backend.
 *
 * @example
 * ```ts
 * const [parentEnd, childEnd] = Pipe<string>();
 * new Process({ target: tasks.greet, args: [childEnd] }).start(); // the task: childEnd.send('hi'); childEnd.close()
 * console.log(await parentEnd.recv()); // 'hi'
 * ```
 */
export class Connection<T = unknown> extends shareable.Shareable {
  /** Whether recv() may be used: false for the send-only end of `Pipe({ duplex: false })`. */
  readonly readable!: boolean;
  /** Whether send() may be used: false for the receive-only end of `Pipe({ duplex: false })`. */
  readonly writable!: boolean;
  private side!: 0 | 1;
  private ends!: Int32Array;
  private inbound: Queue<T> | undefined;
  private outbound: Queue<T> | undefined;
  /** Sent here on the main thread while the pipe was full; written in order as the peer reads. */
  private backlog: T[] = [];
  /** A child process's proxy knows only whether it was closed through itself. */
  private closedHere = false;

  /** @internal Made by Pipe(). */
  constructor(end: EndInfo, ends: Int32Array, inbound: Queue<T> | undefined, outbound: Queue<T> | undefined) {
    super();
    this.connect({ ...end, ends, inbound: undefined, outbound: undefined });
    this.inbound = inbound;
    this.outbound = outbound;
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'Connection';
  }

  /** Whether this end was closed (in a child process: closed through this proxy). */
  get closed(): boolean {
    if (this[shareable.REMOTE]) return this.closedHere;
    return Atomics.load(this.ends, this.side === 0 ? PIPE_CLOSED_0 : PIPE_CLOSED_1) === 1;
  }

  /**
   * Sends `value` to the other end. Never waits on the main thread: if the pipe is full, the
   * value is kept here and written, in order, as the peer reads. In a worker thread it waits
   * for room, as Python's send() does. Throws BrokenPipeError if the other end was closed
   * (in a child process, where send is one-way, that becomes a warning in the parent).
   */
  send(value: T): void {
    this.checkUsable('send()', this.writable, 'the receive-only end of Pipe({ duplex: false })');
    const remote = this[shareable.REMOTE];
    if (remote) {
      remote.send('send', [value]);
      return;
    }
    const outbound = this.outbound as Queue<T>;
    if (this.backlog.length > 0) {
      this.backlog.push(value);
      return;
    }
    try {
      if (isMainThread) outbound.putNowait(value);
      else outbound.putSync(value);
    } catch (error) {
      if (error instanceof QueueClosedError) throw new BrokenPipeError();
      if (!(error instanceof QueueFullError)) throw error;
      this.backlog.push(value);
      void this.flushBacklog(outbound);
    }
  }

  /**
   * Resolves to the next value the other end sent, waiting for one. Rejects with EOFError
   * once the other end is closed and everything it sent has been received.
   */
  recv(): Promise<T> {
    try {
      this.checkUsable('recv()', this.readable, 'the send-only end of Pipe({ duplex: false })');
    } catch (error) {
      return Promise.reject(error);
    }
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('recv', []) as Promise<T>;
    return (this.inbound as Queue<T>).get().catch((error: unknown) => {
      throw this.whyEnded(error);
    });
  }

  /** recv() that blocks this worker thread. Worker threads only. */
  recvSync(): T {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Connection.recvSync()', '`await connection.recv()`');
    assertMayBlock('Connection.recvSync()', '`await connection.recv()`');
    this.checkUsable('recvSync()', this.readable, 'the send-only end of Pipe({ duplex: false })');
    try {
      return (this.inbound as Queue<T>).getSync();
    } catch (error) {
      throw this.whyEnded(error);
    }
  }

  /**
   * Resolves true as soon as recv() would not wait (a value is there, or the other end was
   * closed), false if `timeoutMs` passes first. Default 0: just look, as Python's poll().
   * `Infinity` waits as long as it takes.
   */
  poll(timeoutMs = 0): Promise<boolean> {
    try {
      this.checkUsable('poll()', this.readable, 'the send-only end of Pipe({ duplex: false })');
      const remote = this[shareable.REMOTE];
      if (remote) return remote.call('poll', [timeoutMs]) as Promise<boolean>;
      return runAsync(this[POLL_UNTIL](deadlineOf(timeoutMs), () => false));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Closes this end for every holder: the other end receives what was sent, then EOFError,
   * and its sends fail with BrokenPipeError. Values still waiting here for room are written
   * first. Closing twice does nothing.
   */
  close(): void {
    const remote = this[shareable.REMOTE];
    if (remote) {
      if (!this.closedHere) remote.send('close', []);
      this.closedHere = true;
      return;
    }
    if (this.closed) return;
    Atomics.store(this.ends, this.side === 0 ? PIPE_CLOSED_0 : PIPE_CLOSED_1, 1);
    this.inbound?.close();
    // With a backlog, flushBacklog closes the outbound queue once it is written.
    if (this.backlog.length === 0) this.outbound?.close();
  }

  /** `using end = ...`: closes the end when the block ends. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Yields what the other end sends until it closes: `for await (const value of end)`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let value: T;
      try {
        value = await this.recv();
      } catch (error) {
        if (error instanceof EOFError) return;
        throw error;
      }
      yield value;
    }
  }

  /** @internal For waitConnections(): a poll that also ends when `cancelled()` turns true after a wake-up. */
  [POLL_UNTIL](deadline: number, cancelled: () => boolean) {
    this.checkUsable('waitConnections()', this.readable, 'the send-only end of Pipe({ duplex: false })');
    return (this.inbound as Queue<T>)[POLL_STEPS](deadline, cancelled);
  }

  /** @internal Whether recv() would not wait now. */
  [READY_NOW](): boolean {
    return runSync(this[POLL_UNTIL](deadlineOf(0), () => true));
  }

  /** @internal */
  [STOP_POLLS](): void {
    this.inbound?.[WAKE_POLLERS]();
  }

  /** Writes the backlog in order, each put waiting for room; stops if the peer closes. */
  private async flushBacklog(outbound: Queue<T>): Promise<void> {
    while (this.backlog.length > 0) {
      try {
        await outbound.put(this.backlog[0] as T);
      } catch {
        // The peer closed: nobody will read the rest (Python's send would have raised BrokenPipeError).
        this.backlog = [];
        break;
      }
      this.backlog.shift();
    }
    if (this.closed) outbound.close();
  }

  private checkUsable(member: string, allowed: boolean, what: string): void {
    if (this.closed) throw new InvalidStateError(`${member} on a closed Connection`);
    if (!allowed) throw new InvalidStateError(`${member} on ${what}`);
  }

  /** The error a recv ends with when its queue is closed: this end was closed, or the other. */
  private whyEnded(error: unknown): unknown {
    if (!(error instanceof QueueClosedError)) return error;
    return this.closed ? new InvalidStateError('recv() on a Connection closed while it waited') : new EOFError();
  }

  private connect(state: ConnectionState): void {
    const self = this as { readable: boolean; writable: boolean };
    self.readable = state.readable;
    self.writable = state.writable;
    this.side = state.side;
    this.ends = state.ends;
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return {
      side: this.side,
      readable: this.readable,
      writable: this.writable,
      ends: this.ends,
      inbound: marshalNested(this.inbound, 'memory'),
      outbound: marshalNested(this.outbound, 'memory'),
    } satisfies ConnectionState;
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    return { side: this.side, readable: this.readable, writable: this.writable } satisfies EndInfo;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], _caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'send':
        return this.send(args[0] as T);
      case 'recv':
        return this.recv();
      case 'poll':
        return this.poll(args[0] as number);
      case 'close':
        return this.close();
      case WAIT_AMONG:
        return waitAmong(this, args[0] as readonly string[], args[1] as number | undefined);
      default:
        throw shareable.unknownMember('Connection', method);
    }
  }

  /** @internal */
  static attach(state: ConnectionState | undefined, end: EndInfo, remote: shareable.RemoteRef | undefined): Connection {
    const connection = Object.create(Connection.prototype) as Connection;
    connection.backlog = [];
    connection.closedHere = false;
    if (state) {
      connection.connect(state);
      connection.inbound = shareable.reviveNested<Queue>(state.inbound);
      connection.outbound = shareable.reviveNested<Queue>(state.outbound);
    } else {
      const self = connection as { readable: boolean; writable: boolean };
      self.readable = end.readable;
      self.writable = end.writable;
      connection.side = end.side;
    }
    connection[shareable.REMOTE] = remote;
    return connection;
  }
}

shareable.registerKind('Connection', (d, remote) => {
  const state = shareable.memoryState<ConnectionState>(d);
  return Connection.attach(state, state ?? (shareable.brokerMeta<EndInfo>(d) as EndInfo), remote);
});
