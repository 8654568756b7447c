import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_REQUEUES, triageHeldJobs } from '../dist/pool/exit-triage.js';
import { Job } from '../dist/pool/job.js';

const task = { key: 1, spec: { kind: 'module', moduleUrl: 'file:///t.js', name: 't' }, name: 't' } as const;
const owner = { jobSettled() {} };
const jobs = (...ids: number[]) => ids.map((id) => new Job(id, task, [[id]], 0, owner));
const ids = (list: readonly { id: number }[]) => list.map((j) => j.id);

it('a dead worker: the running job is rejected, the others go back in send order', () => {
  const verdict = triageHeldJobs(jobs(4, 5, 6), [5], { stoppedOnPurpose: false, mayRequeue: true });
  assert.deepEqual(ids(verdict.reject), [5]);
  assert.deepEqual(ids(verdict.requeue), [4, 6]);
});

it('a dead worker running jobs in several lanes: each running job is rejected, the others go back', () => {
  const verdict = triageHeldJobs(jobs(4, 5, 6, 7), [7, 5], { stoppedOnPurpose: false, mayRequeue: true });
  assert.deepEqual(ids(verdict.reject), [5, 7]);
  assert.deepEqual(ids(verdict.requeue), [4, 6]);
});

it('stopped on purpose (timeout, abort): nothing held is blamed, all go back', () => {
  const verdict = triageHeldJobs(jobs(4, 5), [5], { stoppedOnPurpose: true, mayRequeue: true });
  assert.deepEqual(ids(verdict.requeue), [4, 5]);
  assert.deepEqual(verdict.reject, []);
});

it('a job sent back too often, or a pool that cannot requeue, is rejected', () => {
  const [tired, fresh] = jobs(1, 2) as [Job, Job];
  tired.requeues = MAX_REQUEUES;
  assert.deepEqual(ids(triageHeldJobs([tired, fresh], [], { stoppedOnPurpose: false, mayRequeue: true }).reject), [1]);
  assert.deepEqual(ids(triageHeldJobs(jobs(1, 2), [], { stoppedOnPurpose: false, mayRequeue: false }).reject), [1, 2]);
});
