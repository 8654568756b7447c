/** `vigil status DIR`: what the baseline is: where, when, how many entries, which algorithm, how big. */

import { BaselineReader, baselineFileSize } from '../baseline/store.js';
import { ExitCode } from '../exit.js';
import { type LocationOptions, locateBaseline } from './tree-baseline.js';

export interface StatusOptions extends LocationOptions {
  readonly json?: boolean;
}

export async function status(options: StatusOptions): Promise<ExitCode> {
  const { dbPath } = locateBaseline(options);
  const reader = BaselineReader.open(dbPath);
  try {
    const info = {
      location: dbPath,
      taken: reader.meta.writtenAt,
      entries: reader.count(),
      algorithm: reader.meta.algorithm,
      bytes: baselineFileSize(dbPath),
      root: reader.meta.root,
      excludes: reader.meta.excludes,
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(info)}\n`);
    } else {
      process.stdout.write(
        [
          `baseline:  ${info.location}`,
          `taken:     ${info.taken}`,
          `entries:   ${info.entries}`,
          `algorithm: ${info.algorithm}`,
          `size:      ${info.bytes} bytes`,
          `root:      ${info.root}`,
          `excludes:  ${info.excludes.length > 0 ? info.excludes.join(' ') : '(none)'}`,
          '',
        ].join('\n'),
      );
    }
    return ExitCode.ok;
  } finally {
    reader.close();
  }
}
