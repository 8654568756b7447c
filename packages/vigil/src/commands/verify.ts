/** `vigil verify REPO [SNAPSHOT]`: re-hash the objects of one snapshot (or all) in parallel; exit 1 on any finding. */
import { availableParallelism } from 'node:os';
import { Pool } from 'tandem';
import { Repository } from '../backup/repository.js';
import { findSnapshot, listSnapshots } from '../backup/snapshots.js';
import { verifySnapshots } from '../backup/verify-snapshots.js';
import { type ExitCode, exitCodeForOutcome } from '../exit.js';
import { formatBytes } from '../report/format-bytes.js';

export interface VerifyOptions {
  readonly repo: string;
  readonly snapshot?: string;
  readonly json?: boolean;
}

export async function verify(options: VerifyOptions): Promise<ExitCode> {
  const repo = Repository.open(options.repo);
  const chosen = options.snapshot === undefined ? listSnapshots(repo) : [findSnapshot(repo, options.snapshot)];
  const pool = new Pool({ workers: availableParallelism(), name: 'vigil-verify' });
  try {
    const summary = await verifySnapshots(repo, chosen, pool, (finding) => {
      if (options.json) process.stdout.write(`${JSON.stringify(finding)}\n`);
      else if (finding.kind === 'record')
        process.stderr.write(`vigil: snapshot ${finding.snapshot}: ${finding.message}\n`);
      else {
        process.stderr.write(
          `vigil: object ${finding.hash} is ${finding.problem === 'missing' || finding.problem === 'corrupt' ? finding.problem : `unreadable (${finding.problem})`}` +
            ` (holds ${finding.usedBy} in snapshot ${finding.snapshot})\n`,
        );
      }
    });
    const text =
      `verified ${summary.objects} objects (${formatBytes(summary.bytes)}) of ${summary.snapshots} snapshot(s): ` +
      `${summary.findings === 0 ? 'all good' : `${summary.findings} problem(s)`}`;
    if (options.json) process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
    else process.stdout.write(`${text}\n`);
    return exitCodeForOutcome({ failures: summary.findings });
  } finally {
    await pool.terminate();
  }
}
