/**
 * Finds and removes what the harness left behind, by label only: containers and networks that carry
 * the harness's owner label *and* a run label. The owner label alone is not enough: images the harness
 * builds carry it (LABEL dev.ferrite-drill=true), and every container started from them inherits it —
 * also a user's own deployment on ferrite-drill/redis:*-host that a drill attached to. By default only those of runs whose process is gone (so a concurrent,
 * live drill on the same machine is left alone; a PID reused since, e.g. after a reboot, does not count
 * as alive); `all` removes every one.
 */
import { docker, removeNetwork, ATTACH_RECORD_NODE, LABEL_ATTACHED, LABEL_NODE, LABEL_OWNER, LABEL_PID, LABEL_PROCESS, LABEL_RUN } from './client.ts';
import { sweepNamespace, sweepRunChains } from './netns.ts';
import { ownerAlive } from '../../../util/processIdentity.ts';

export interface CleanReport {
  containers: string[];
  networks: string[];
  skippedLiveRuns: string[];
  /** A dead attached run's user containers that were started, unpaused or continued again. */
  revived: string[];
  /** What could not be removed, and why. */
  failures: string[];
}

export async function cleanLeftovers(opts: { all: boolean }): Promise<CleanReport> {
  const report: CleanReport = { containers: [], networks: [], skippedLiveRuns: [], revived: [], failures: [] };
  // Both labels must be present (Docker ANDs label filters): a run's own things, never an image's heirs.
  const filters = { label: [`${LABEL_OWNER}=true`, LABEL_RUN] };
  const stale = (labels: Record<string, string> | undefined) => {
    if (opts.all) return true;
    const pid = Number(labels?.[LABEL_PID]);
    const alive = pid !== process.pid && ownerAlive(pid, labels?.[LABEL_PROCESS]);
    if (alive) report.skippedLiveRuns.push(labels?.[LABEL_RUN] ?? '?');
    return !alive && pid !== process.pid;
  };
  const containers = await docker().listContainers({ all: true, filters });
  await Promise.all(
    containers
      .filter((c) => stale(c.Labels))
      .map(async (c) => {
        const name = c.Names[0]?.replace(/^\//, '') ?? c.Id;
        try {
          // A fault helper sits in another container's namespace (an attached user's container, maybe):
          // the chains its run left there go before it does.
          if (c.Labels?.[LABEL_NODE] === ATTACH_RECORD_NODE) report.revived.push(...(await revive((c.Labels[LABEL_ATTACHED] ?? '').split(',').filter(Boolean), c.Labels[LABEL_RUN] ?? '', report)));
          if (c.Labels?.[LABEL_NODE]?.startsWith('nettools:') && c.State === 'running') await sweepRunChains(c.Id, c.Labels[LABEL_RUN] ?? '').catch(() => {});
          await docker().getContainer(c.Id).remove({ force: true, v: true });
          report.containers.push(name);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 404) report.failures.push(`container ${name}: ${(err as Error).message}`);
        }
      }),
  );
  const networks = await docker().listNetworks({ filters });
  await Promise.all(
    networks
      .filter((n) => stale(n.Labels))
      .map(async (n) => {
        try {
          if (await removeNetwork(n.Id, n.Name)) report.networks.push(n.Name);
        } catch (err) {
          report.failures.push((err as Error).message);
        }
      }),
  );
  report.skippedLiveRuns = [...new Set(report.skippedLiveRuns)];
  return report;
}

/**
 * What a killed attached run may have left a user's containers as — stopped, paused, or its server
 * process frozen by SIGSTOP (Docker still says "running") — undone: started, unpaused, sent SIGCONT
 * (harmless to a process that runs). Returns the names of those it changed.
 */
async function revive(ids: string[], runId: string, report: CleanReport): Promise<string[]> {
  const changed: string[] = [];
  for (const id of ids) {
    const c = docker().getContainer(id);
    try {
      const info = await c.inspect();
      const name = info.Name.replace(/^\//, '');
      if (!info.State.Running) {
        await c.start(); // a fresh namespace: no chain of the run in it
        changed.push(name);
        continue;
      }
      if (info.State.Paused) {
        await c.unpause();
        changed.push(name);
      }
      await c.kill({ signal: 'SIGCONT' });
      // The run's chains, also where its helper is gone already.
      await sweepNamespace(id, runId).catch((err: Error) => report.failures.push(`chains in ${name}: ${err.message}`));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) report.failures.push(`container ${id.slice(0, 12)}: ${(err as Error).message}`);
    }
  }
  return changed;
}
