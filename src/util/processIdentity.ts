/**
 * Which process owns a run, in a form that survives PID reuse. A PID alone is not enough: after a
 * reboot (Docker keeps its containers and networks) or on a busy machine, a dead drill's PID can belong
 * to an unrelated live process, and its leftovers would then never be cleaned. The identity adds the
 * kernel's boot id and the process's start time, read from /proc (Linux); where /proc is missing it
 * degrades to the PID alone.
 */
import { readFileSync } from 'node:fs';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null. */
function startTicks(pid: number): string | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[22 - 3] ?? null;
}

/** "<boot id>/<pid>/<start ticks>" for the given process (default: this one). */
export function processIdentity(pid = process.pid): string {
  return `${read('/proc/sys/kernel/random/boot_id') ?? '?'}/${pid}/${startTicks(pid) ?? '?'}`;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process a label names is still running. `identity` is the value of processIdentity()
 * taken when the run started; `pid` is used alone for labels written before identities existed.
 */
export function ownerAlive(pid: number, identity: string | undefined): boolean {
  if (!pidAlive(pid)) return false;
  if (!identity) return true;
  const [bootId, , ticks] = identity.split('/');
  const [nowBootId, , nowTicks] = processIdentity(pid).split('/');
  if (bootId !== '?' && nowBootId !== '?' && bootId !== nowBootId) return false; // rebooted since
  if (ticks !== '?' && nowTicks !== '?' && ticks !== nowTicks) return false; // PID reused
  return true;
}
