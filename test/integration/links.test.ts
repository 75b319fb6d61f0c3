/**
 * Slow links on any kernel, through the real CLI: the latency fault with a Toxiproxy proxy in the path
 * where the kernel has no sch_netem (netem where it has), on the replication link (WAIT gets slower), on
 * the client link (writes time out: indeterminate, then found present) and before a crash (the lag turns
 * into lost acknowledged writes). The mechanism each run reports is checked against this kernel's netem,
 * probed here; nothing may be left behind, on the host or in Docker.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerMissingReason, harnessLeftovers } from './docker-available.ts';
import { readResult, runCli, whyNotPassed } from './run-cli.ts';
import { runPassingDrill } from './run-cli.ts';
import { probeNetem } from '../../src/topology/runtime/docker/netns.ts';
import { newRunId } from '../../src/engine/run.ts';
import type { DrillResult } from '../../src/record/result.ts';

const DRILL_TIMEOUT = 240_000;

async function drill(name: string): Promise<DrillResult> {
  const { result } = await runPassingDrill(name);
  // Faults never touch the host's own tables; the replicas' nat rules went with their namespaces.
  expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toMatch(/FD-/);
  return result;
}

describe.skipIf(dockerMissingReason !== null)('slow links without netem (a Toxiproxy proxy in the TCP path)', () => {
  let netemMissing: string | null = null;
  let expected: 'netem' | 'proxy';
  beforeAll(async () => {
    netemMissing = await probeNetem(newRunId());
    expected = netemMissing === null ? 'netem' : 'proxy';
    console.log(netemMissing === null ? 'this kernel has sch_netem: latency faults use netem' : `no sch_netem here (${netemMissing}): latency faults go through the proxy`);
  }, 60_000);

  it('slow-replication-link passes and WAIT gets slower while the link is slow, then fast again', async () => {
    const r = await drill('slow-replication-link');
    expect(r.faults[0]).toMatchObject({ kind: 'latency', role: 'replica', nodes: ['redis-2', 'redis-3'], mechanism: expected });
    const { before, during, after } = r.series!.latency;
    console.log(`SET+WAIT 1 p50: before ${before.p50} ms, during ${during.p50} ms, after ${after.p50} ms (${during.count} writes during)`);
    // 100 ms each way: WAIT needs the write to go down and the ACK to come back up, ~200 ms.
    expect(during.p50!).toBeGreaterThanOrEqual(150);
    expect(during.p50!).toBeGreaterThan(10 * before.p50!);
    expect(r.metrics!.latency).toEqual({ beforeP50Ms: before.p50, duringP50Ms: during.p50, riseP50: expect.any(Number) });
    // Healed: the replicas are back on their direct links.
    expect(after.p50!).toBeLessThan(during.p50! / 5);
    expect(r.metrics!.failovers).toBe(0);
    expect(r.metrics!.lostWrites.total).toBe(0);
  }, DRILL_TIMEOUT);

  it('slow-client-link: answers later than the command timeout make writes indeterminate; all are found present', async () => {
    const r = await drill('slow-client-link');
    expect(r.faults[0]).toMatchObject({ kind: 'latency', role: 'primary', mechanism: expected });
    const m = r.metrics!;
    console.log(`writes ${JSON.stringify(m.writes)}; recovered ${m.recoveredWrites}; lost ${m.lostWrites.total}`);
    expect(m.writes.indeterminate).toBeGreaterThanOrEqual(4);
    expect(m.failuresByReason).toMatchObject({ timeout: m.writes.indeterminate });
    // The server applied every one of them: the answer, not the write, was late.
    expect(m.recoveredWrites).toBe(m.writes.indeterminate);
    expect(m.lostWrites.total).toBe(0);
  }, DRILL_TIMEOUT);

  it('slow-link-primary-crash: the replication lag is lost on failover (acknowledged, unconfirmed)', async () => {
    const r = await drill('slow-link-primary-crash');
    expect(r.faults.map((f) => [f.kind, f.mechanism ?? null])).toEqual([['latency', expected], ['kill', null]]);
    const m = r.metrics!;
    console.log(`lost ${m.lostWrites.total} of ${m.writes.acknowledged} acknowledged; failover ${m.failoverMs} ms; oldest lost acked ${Math.min(...m.lostSample.map((w) => w.ackedAtMs))} ms before t0`);
    expect(m.failovers).toBe(1);
    expect(m.lostWrites.total).toBeGreaterThanOrEqual(50);
    expect(m.lostWrites.unconfirmed).toBe(m.lostWrites.total);
    expect(m.lostWrites.durable).toBeNull(); // no WAIT: nothing was confirmed
    // Lost are writes the old primary acknowledged before the crash, within the link's 4 s delay.
    for (const w of m.lostSample) {
      expect(w.node).toBe(m.oldPrimary);
      expect(w.ackedAtMs).toBeLessThan(0);
      expect(w.ackedAtMs).toBeGreaterThan(-4500);
    }
  }, DRILL_TIMEOUT);

  it('the netem fault kind itself: refused with exit 3 before anything starts where the kernel has no netem', async () => {
    const out = mkdtempSync(join(tmpdir(), 'fd-netem-'));
    const run = await runCli(['run', join(import.meta.dirname, '../fixtures/netem-delay.yaml'), '--out', out, '--quiet']);
    const r = readResult(out)!;
    if (netemMissing === null) {
      console.log('SKIPPED netem refusal: this kernel has sch_netem, the drill must pass instead');
      expect(r.verdict, whyNotPassed(r, run)).toBe('pass');
    } else {
      expect(run.code).toBe(3);
      expect(run.stdout).toContain('no sch_netem');
      expect(r.timings.topologyReadyMs).toBeNull();
    }
    expect(harnessLeftovers()).toEqual({ containers: [], networks: [] });
  }, DRILL_TIMEOUT);
});
