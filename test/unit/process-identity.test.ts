/** Telling a live run's owner from a dead one whose PID was reused (cleanup must not spare its leftovers). */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ownerAlive, processIdentity } from '../../src/util/processIdentity.ts';

describe('process identity', () => {
  it('names this process by boot id, PID and start time', () => {
    const [boot, pid, ticks] = processIdentity().split('/');
    expect(pid).toBe(String(process.pid));
    expect(boot).toMatch(/^[0-9a-f-]{36}$/);
    expect(ticks).toMatch(/^\d+$/);
  });

  it('a live owner is alive; the same PID with another start time or boot is not (PID reuse)', () => {
    const me = processIdentity();
    expect(ownerAlive(process.pid, me)).toBe(true);
    const [boot, pid, ticks] = me.split('/');
    expect(ownerAlive(process.pid, `${boot}/${pid}/${Number(ticks) + 1}`)).toBe(false);
    expect(ownerAlive(process.pid, `00000000-0000-0000-0000-000000000000/${pid}/${ticks}`)).toBe(false);
    expect(ownerAlive(process.pid, undefined)).toBe(true); // labels from before identities: PID only
  });

  it('an exited process is not alive', () => {
    const child = spawnSync('true');
    expect(ownerAlive(child.pid!, undefined)).toBe(false);
    expect(ownerAlive(0, undefined)).toBe(false);
  });
});
