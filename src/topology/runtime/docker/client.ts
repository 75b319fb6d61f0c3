/**
 * The one Docker client and the labels that mark what the harness owns. Everything the harness creates
 * carries LABEL_OWNER, and a run's things also LABEL_RUN, so `clean` can find what a killed run left and
 * never touches anything else.
 */
import Docker from 'dockerode';
import { InfrastructureError } from '../../../util/errors.ts';
import { withTimeout } from '../../../util/time.ts';
import { processIdentity } from '../../../util/processIdentity.ts';

export const LABEL_OWNER = 'dev.ferrite-drill';
/**
 * On the images the harness builds. Not LABEL_OWNER: a container inherits its image's labels, and a
 * user's own deployment on ferrite-drill/redis:*-host must never look like something the harness owns.
 */
export const LABEL_IMAGE = 'dev.ferrite-drill.image';
export const LABEL_RUN = 'dev.ferrite-drill.run';
export const LABEL_NODE = 'dev.ferrite-drill.node';
export const LABEL_PID = 'dev.ferrite-drill.pid';
/**
 * On an attached run's record container (created, never started): the ids of the user's containers the
 * run drills, so that `clean` can start, unpause and continue them again after the run was killed.
 */
export const LABEL_ATTACHED = 'dev.ferrite-drill.attached';
export const ATTACH_RECORD_NODE = 'attach-record';
/** Boot id, PID and start time of the owning process: tells a live owner from a reused PID. */
export const LABEL_PROCESS = 'dev.ferrite-drill.process';
/**
 * FERRITE_DRILL_SESSION, when set (the test suite sets one per run): lets a test judge "nothing left
 * behind" by its own runs only, while other sessions' drills run on the same machine.
 */
export const LABEL_SESSION = 'dev.ferrite-drill.session';

let client: Docker | undefined;

/**
 * How long any Docker call may wait for the engine's first answer (the response headers). It bounds a
 * hung engine without cutting long streams short: event streams, attached shells and pulls answer at
 * once and then stay open as long as they need.
 */
export const DOCKER_ANSWER_TIMEOUT_MS = 30_000;

export function docker(): Docker {
  // DOCKER_HOST and friends are honoured (docker-modem reads them).
  client ??= new Docker({ connectionTimeout: DOCKER_ANSWER_TIMEOUT_MS } as Docker.DockerOptions);
  return client;
}

/** Fails with one clear sentence when no Docker engine answers. */
export async function assertDockerAvailable(): Promise<{ version: string }> {
  try {
    const v = await withTimeout('the Docker engine to answer', docker().version(), 5000);
    return { version: v.Version };
  } catch (err) {
    throw new InfrastructureError(
      `No Docker engine answers (${(err as Error).message}); start one (as root on Debian: npm run setup) or set DOCKER_HOST.`,
    );
  }
}

const ownIdentity = processIdentity();

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  const session = process.env.FERRITE_DRILL_SESSION;
  return { [LABEL_OWNER]: 'true', [LABEL_RUN]: runId, [LABEL_PID]: String(process.pid), [LABEL_PROCESS]: ownIdentity, ...(session ? { [LABEL_SESSION]: session } : {}), ...extra };
}

/** Reads a stream to its end. */
export async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** Splits Docker's multiplexed stdout/stderr framing (non-TTY containers) into plain text. */
export function demuxDockerStream(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  // A buffer that is not framed (TTY) is returned as it is.
  return parts.length > 0 ? Buffer.concat(parts).toString('utf8') : buffer.toString('utf8');
}

/**
 * Removes a network, retrying briefly while Docker finishes releasing endpoints of containers just
 * removed. Returns false when it is already gone. A network that still reports active endpoints with no
 * container attached is a fault in dockerd's own bookkeeping (restarting dockerd clears it): say so.
 */
export async function removeNetwork(id: string, name: string): Promise<boolean> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 6; attempt++) {
    try {
      await docker().getNetwork(id).remove();
      return true;
    } catch (err) {
      const e = err as { statusCode?: number; message?: string };
      if (e.statusCode === 404) return false;
      if (!/active endpoints/.test(e.message ?? '')) throw err;
      lastError = err;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
    }
  }
  const info = (await docker().getNetwork(id).inspect().catch(() => undefined)) as { Containers?: object } | undefined;
  const attached = Object.keys(info?.Containers ?? {}).length;
  throw new InfrastructureError(
    attached > 0
      ? `network ${name} could not be removed: ${attached} container(s) still attached (${(lastError as Error).message})`
      : `network ${name} could not be removed: Docker counts endpoints on it although no container is attached (a dockerd bookkeeping fault; restarting dockerd clears it, then run "ferrite-drill clean")`,
  );
}
