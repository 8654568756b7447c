/**
 * Scenario 4: a large ArrayBuffer passed to a worker. "send" passes a fresh buffer to a
 * worker, which answers its length (allocation is outside the timing); "round trip" passes
 * one buffer there and back. On threads each library moves the buffer with its own transfer
 * mechanism (where it has one for the way home); on child processes nothing can be moved:
 * every library copies the buffer through its IPC channel, each way.
 */
import { createAdapter, type Library, logLabel } from '../adapters/adapter.ts';
import { median, medians, push, rotate } from '../stats.ts';
import type { ScenarioContext } from './context.ts';

export interface TransferFigures {
  readonly bytes: number;
  /** Median milliseconds per call. */
  readonly sendMs: Record<Library, number>;
  readonly roundTripMs: Record<Library, number>;
}

export async function measureTransfer(ctx: ScenarioContext): Promise<TransferFigures> {
  const { bufferBytes, bufferRounds } = ctx.sizes;
  const moves = ctx.backend === 'thread';
  const sends = new Map<Library, number[]>();
  const roundTrips = new Map<Library, number[]>();
  for (let repeat = 0; repeat < ctx.repeats; repeat++) {
    for (const library of rotate(ctx.libraries, repeat)) {
      const pool = await createAdapter(library, ctx.workers, ctx.backend);
      let buffer = new ArrayBuffer(bufferBytes);
      for (let i = 0; i < 2 * ctx.workers; i++) buffer = await pool.echoBuffer(buffer);
      const sendTimes: number[] = [];
      for (let i = 0; i < bufferRounds; i++) {
        const fresh = new ArrayBuffer(bufferBytes);
        const started = performance.now();
        const length = await pool.sendBuffer(fresh);
        sendTimes.push(performance.now() - started);
        if (length !== bufferBytes) throw new Error(`${library}: the worker saw ${length} bytes of ${bufferBytes}`);
        if (moves && fresh.byteLength !== 0) throw new Error(`${library}: the buffer was not moved`);
        if (!moves && fresh.byteLength !== bufferBytes) throw new Error(`${library}: the copied buffer was detached`);
      }
      const roundTripTimes: number[] = [];
      for (let i = 0; i < bufferRounds; i++) {
        const started = performance.now();
        buffer = await pool.echoBuffer(buffer);
        roundTripTimes.push(performance.now() - started);
        if (buffer.byteLength !== bufferBytes) throw new Error(`${library}: the buffer came back with a wrong size`);
      }
      await pool.close();
      push(sends, library, median(sendTimes));
      push(roundTrips, library, median(roundTripTimes));
      ctx.log(
        `transfer   ${logLabel(library, ctx.backend)} send ${median(sendTimes).toFixed(2)} ms, round trip ${median(roundTripTimes).toFixed(2)} ms`,
      );
    }
  }
  return { bytes: bufferBytes, sendMs: medians(sends), roundTripMs: medians(roundTrips) };
}
