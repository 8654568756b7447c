/** A description of the machine and software a run measured, for the report's header. */
import { existsSync, readFileSync } from 'node:fs';

import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Library } from './adapters/adapter.ts';

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly date: string;
  /** 1-minute load average when the run started: a hint of how shared the machine was. */
  readonly loadAverage: number;
  readonly versions: Record<Library, string>;
}

export function describeMachine(): MachineInfo {
  return {
    cores: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    loadAverage: loadavg()[0] ?? 0,
    versions: {
      tandem: packageVersion('tandem'),
      piscina: packageVersion('piscina'),
      tinypool: packageVersion('tinypool'),
      workerpool: packageVersion('workerpool'),
    },
  };
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return match?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}

/** The installed version, found by walking up from the package's resolved entry (not every package exports ./package.json). */
function packageVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === name && parsed.version) return parsed.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}
