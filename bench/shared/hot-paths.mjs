// Uncontended cost of tandem's hot paths on the main thread, to compare two builds of the same
// code (a refactor must not slow them): Lock/RLock/Semaphore acquire+release, Event.wait on a set
// event, Value and SharedArray reads and writes, Queue put+get.
//
// Usage: node bench/shared/hot-paths.mjs DIST_INDEX_JS
// Prints one JSON object: nanoseconds of CPU time per operation, the least of 3 runs. CPU time
// rather than wall time, since on a shared machine wall time counts the waits for a core. To
// compare builds, copy one packages/tandem/dist aside and alternate runs of the two.
const tandem = await import(new URL(process.argv[2], `file://${process.cwd()}/`).href);
const { Event, Lock, Queue, RawValue, RLock, Semaphore, SharedArray, Value } = tandem;

const lock = new Lock();
const rlock = new RLock();
const semaphore = new Semaphore(1);
const event = new Event();
event.set();
const value = new Value('int32', 1);
const rawValue = new RawValue('int32', 1);
const array = new SharedArray('int32', 4);
const queue = new Queue(1024);
let sink = 0;

// One operation per case; async ones are awaited. The loop's call costs the same in both builds.
const asyncOps = {
  'Lock acquire+release': async () => {
    await lock.acquire();
    lock.release();
  },
  'RLock acquire+release': async () => {
    await rlock.acquire();
    rlock.release();
  },
  'Semaphore acquire+release': async () => {
    await semaphore.acquire();
    semaphore.release();
  },
  'Event wait (set)': () => event.wait(),
  'Value get()': () => value.get(),
  'RawValue get()': () => rawValue.get(),
  'SharedArray get(i)': (i) => array.get(i & 3),
  'Queue put+get': async (i) => {
    await queue.put(i);
    await queue.get();
  },
};
const syncOps = {
  'Value .value read': () => value.value,
  'Value .value write': (i) => {
    value.value = i & 0xff;
  },
};
const OPS = 1e6;
const SLOW_OPS = 2e5; // Queue put+get: each item is serialized

async function run(name, n) {
  const op = asyncOps[name] ?? syncOps[name];
  if (name in asyncOps) for (let i = 0; i < n; i++) sink += (await op(i)) ? 1 : 0;
  else for (let i = 0; i < n; i++) sink += op(i) ? 1 : 0;
}

const results = {};
for (const name of [...Object.keys(asyncOps), ...Object.keys(syncOps)]) {
  const n = name === 'Queue put+get' ? SLOW_OPS : OPS;
  await run(name, n / 10); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 3; r++) {
    const start = process.cpuUsage();
    await run(name, n);
    const used = process.cpuUsage(start);
    best = Math.min(best, ((used.user + used.system) * 1000) / n);
  }
  results[name] = Number(best.toFixed(1));
}
if (sink === -1) console.error(sink); // keeps the reads from being optimized away
console.log(JSON.stringify(results));
