#!/usr/bin/env bash
# Issue 9's overhead aim on 1, 2 and 4 worker processes, tandem's Redis backend against plain
# BullMQ in alternating rounds (bench/redis/overhead.ts): tiny jobs' wall time over 80 rounds
# (perf off: its counters cost every context switch), then their instructions and CPU time
# over 15 rounds with perf on, then CPU-bound jobs' wall time over 10 rounds. About 12 minutes.
# Run after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
for processes in 1 2 4; do
  node --import tsx bench/redis/overhead.ts "$processes" 80 5000 --no-perf 2>/dev/null | grep -v 'No instruction counts'
  node --import tsx bench/redis/overhead.ts "$processes" 15 5000 2>/dev/null | sed -n '/^| per 1000 jobs/,$p'
  echo
  node --import tsx bench/redis/overhead.ts "$processes" 10 200 --cpu --no-perf 2>/dev/null | grep -v 'No instruction counts'
done
