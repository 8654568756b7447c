import { setFlagsFromString } from 'node:v8';

/**
 * Keeps the young generation of every V8 heap in this process at the size it has now.
 *
 * Why: a backup's main thread keeps every entry's record until the trees are built, so much of
 * what it allocates survives a scavenge, which V8 reads as a reason to double the young
 * generation, up to 2 x 16 MB; the workers' grow up to their limit (BACKUP_WORKER_YOUNG_MB)
 * the same way. Held at the size they have after the first batches (2 x 4 MB for the main
 * thread, 2 x 2 MB for each worker), the peak of a first backup of the /usr/share copy fell
 * from 301 to 268 MB, at the same wall time (bench/backup/memory-round.sh, 4 rounds each;
 * docs/benchmarks.md, issue 18). `--max-semi-space-size` would do it from the start, but only
 * as a flag of the node command, not from inside the process.
 *
 * How: V8 reads --semi-space-growth-factor each time it grows a young generation, and 1 keeps
 * the size. Starting a worker thread sets the factor back to V8's default (seen on Node 20, 22
 * and 24), so a caller calls this again after any worker may have started: a backup, with each
 * batch's result. Setting it is cheap: a flag parsed and stored. Node 20 and 22 then keep the
 * size exactly; Node 24 now and then commits a few MB more than it holds (14-22 MB seen from 8,
 * in about 1 run of 10, against 128 MB unheld), or gives some back (4).
 *
 * Cost: a changed flag is part of the hash V8 checks a code cache against, so a module first
 * compiled after this call is compiled again by the next run (Node's compile cache, Node >= 22.8:
 * two or three small modules of a backup).
 */
export function holdYoungGenerations(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
