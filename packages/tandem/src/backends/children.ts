/**
 * Every child process tandem starts, in one place, so none outlives its parent:
 * - when the parent exits normally, remaining children (idle pool workers, daemon
 *   Processes) are killed;
 * - when the parent gets SIGINT or SIGTERM, children are asked to stop (SIGTERM), given a
 *   moment, killed if they linger, and then the parent re-raises the signal so it exits
 *   with the conventional code (128 + N).
 * The handlers are installed only while a child exists, so a program without children
 * keeps Node's default signal behaviour.
 */
import type { ChildProcess } from 'node:child_process';

const STOP_GRACE_MS = 2000;
const children = new Set<ChildProcess>();
let installed = false;

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => {
    children.delete(child);
    if (children.size === 0) uninstall();
  });
  install();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', killAll);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  const waiting = [...children].filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of waiting) child.kill('SIGTERM');
  const reraise = () => {
    killAll();
    uninstall();
    process.kill(process.pid, signal);
  };
  if (waiting.length === 0) {
    reraise();
    return;
  }
  const timer = setTimeout(reraise, STOP_GRACE_MS);
  let left = waiting.length;
  for (const child of waiting) {
    child.once('exit', () => {
      if (--left === 0) {
        clearTimeout(timer);
        reraise();
      }
    });
  }
}
