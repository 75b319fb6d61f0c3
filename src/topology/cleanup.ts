/**
 * Finds and removes what the harness left behind, by label only: containers and networks that carry
 * the harness's owner label. By default only those of runs whose process is gone (so a concurrent,
 * live drill on the same machine is left alone; a PID reused since, e.g. after a reboot, does not count
 * as alive); `all` removes every one.
 */
import { docker, LABEL_OWNER, LABEL_PID, LABEL_PROCESS, LABEL_RUN } from './docker.ts';
import { ownerAlive } from '../util/processIdentity.ts';

export interface CleanReport {
  containers: string[];
  networks: string[];
  skippedLiveRuns: string[];
}

export async function cleanLeftovers(opts: { all: boolean }): Promise<CleanReport> {
  const report: CleanReport = { containers: [], networks: [], skippedLiveRuns: [] };
  const filters = { label: [`${LABEL_OWNER}=true`] };
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
        await docker().getContainer(c.Id).remove({ force: true, v: true }).catch(() => {});
        report.containers.push(c.Names[0]?.replace(/^\//, '') ?? c.Id);
      }),
  );
  const networks = await docker().listNetworks({ filters });
  await Promise.all(
    networks
      .filter((n) => stale(n.Labels))
      .map(async (n) => {
        await docker().getNetwork(n.Id).remove().catch(() => {});
        report.networks.push(n.Name);
      }),
  );
  report.skippedLiveRuns = [...new Set(report.skippedLiveRuns)];
  return report;
}
