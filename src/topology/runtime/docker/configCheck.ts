/**
 * A throwaway start of one server with a config, before anything of the drill exists: a container of
 * the drill's image with no network at all, its config put in as the real nodes' will be, watched
 * until the server says it has read its config, or exits. Redis reads its whole config at start and names the
 * first line it rejects ("at line 3 >>> '...'"), so this is the server's own word on the user's
 * directives, at the cost of one container start (about half a second here).
 */
import { docker, demuxDockerStream, runLabels, LABEL_NODE } from './client.ts';
import type { NodeLaunch } from '../../profiles/index.ts';
import { tarOf } from './create.ts';
import { sleep } from '../../../util/time.ts';

export interface ConfigVerdict {
  /** The server started: the config is accepted. */
  ok: boolean;
  /** The rejected line of the config (1-based), when the server named one. */
  line: number | null;
  /** The server's reason, in its words. */
  reason: string;
}

/** Redis says so right after it read the whole config (a rejected line stops it before). */
const READY = /Configuration loaded/;

export async function tryConfig(runId: string, image: string, launch: NodeLaunch, timeoutMs = 15_000): Promise<ConfigVerdict> {
  const container = await docker().createContainer({
    Image: image,
    Cmd: launch.cmd,
    ...(launch.entrypoint ? { Entrypoint: launch.entrypoint } : {}),
    Labels: runLabels(runId, { [LABEL_NODE]: 'config-check' }),
    HostConfig: { NetworkMode: 'none', AutoRemove: false },
  });
  try {
    await container.putArchive(tarOf(launch.files) as unknown as NodeJS.ReadableStream, { path: launch.filesDir });
    await container.start();
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const logs = demuxDockerStream((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer);
      if (READY.test(logs)) return { ok: true, line: null, reason: '' };
      const state = (await container.inspect()).State;
      if (!state.Running) return rejection(demuxDockerStream((await container.logs({ stdout: true, stderr: true })) as unknown as Buffer), state.ExitCode);
      if (performance.now() > deadline) return { ok: false, line: null, reason: `the server neither became ready nor exited within ${timeoutMs} ms; its log: ${tail(logs)}` };
      await sleep(50);
    }
  } finally {
    await container.remove({ force: true, v: true }).catch(() => {});
  }
}

/** What the server said when it refused to start. */
export function rejection(logs: string, exitCode: number): ConfigVerdict {
  const fatal = /FATAL CONFIG FILE ERROR[^\n]*\n(?:Reading the configuration file, at line (\d+)\n)?(?:>>> '([^\n]*)'\n)?([^\n]*)/.exec(logs);
  if (fatal) return { ok: false, line: fatal[1] ? Number(fatal[1]) : null, reason: (fatal[3] || 'rejected').trim() };
  return { ok: false, line: null, reason: `the server exited (code ${exitCode}) at start: ${tail(logs)}` };
}

function tail(logs: string): string {
  return logs.trim().split('\n').slice(-3).map((l) => l.trim()).join(' / ') || '(no output)';
}
