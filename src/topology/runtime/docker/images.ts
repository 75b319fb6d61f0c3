/**
 * Which image a drill runs on, and getting it: an image already present is used as is; otherwise the
 * upstream image is pulled; when no registry answers, an image is built from this host's Debian
 * redis-server/redis-sentinel binaries. The choice is returned with a sentence saying which it was.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { docker, LABEL_IMAGE } from './client.ts';
import { packBuildContext, type RootfsSpec } from './rootfs.ts';
import { PROFILES, sentinelProfileFor } from '../../profiles/index.ts';
import { InfrastructureError } from '../../../util/errors.ts';
import type { Scenario } from '../../../scenario/schema.ts';

export interface ResolvedImage {
  image: string;
  /** How it was obtained, e.g. "pulled redis:7.2" or "built from this host's redis-server 7.0.15 (no registry reachable)". */
  how: string;
}

type Log = (message: string) => void;

const PULL_TIMEOUT_MS = Number(process.env.FERRITE_DRILL_PULL_TIMEOUT_MS ?? 120_000);

export async function imageExists(image: string): Promise<boolean> {
  try {
    await docker().getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a pull failed, in words a user can act on. The Docker daemon's raw error names its internal DNS
 * resolver and the registry's URL, which says nothing useful in a report.
 */
export function pullFailureReason(message: string): string {
  if (/manifest unknown|not found|pull access denied|repository does not exist/i.test(message)) return 'the registry has no such image';
  if (/unauthorized|authentication required/i.test(message)) return 'the registry refused the pull (authentication required)';
  if (/dial tcp|no such host|lookup |connection refused|i\/o timeout|timeout|TLS handshake|server error|network is unreachable|EAI_AGAIN|took longer than/i.test(message)) return 'no registry answered';
  return message.split('\n')[0];
}

/** Pulls an image; returns why it could not (no registry, no such image), in words. */
export async function tryPull(image: string): Promise<string | null> {
  if (process.env.FERRITE_DRILL_OFFLINE === '1') return 'FERRITE_DRILL_OFFLINE=1';
  try {
    const stream = await docker().pull(image);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pull took longer than ${PULL_TIMEOUT_MS} ms`)), PULL_TIMEOUT_MS);
      docker().modem.followProgress(stream, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
    return null;
  } catch (err) {
    return pullFailureReason((err as Error).message);
  }
}

export async function resolveServerImage(topology: Pick<Scenario['topology'], 'server' | 'image'>, log: Log): Promise<ResolvedImage> {
  const profile = PROFILES[topology.server];
  if (topology.image !== 'auto') return ensureNamedImage(topology.image);
  if (profile.upstreamImage) {
    if (await imageExists(profile.upstreamImage)) return { image: profile.upstreamImage, how: `${profile.upstreamImage} (already present)` };
    log(`pulling ${profile.upstreamImage} ...`);
    const pullError = await tryPull(profile.upstreamImage);
    if (pullError === null) return { image: profile.upstreamImage, how: `${profile.upstreamImage} (pulled)` };
    if (!profile.buildableFromHost) {
      throw new InfrastructureError(`cannot pull ${profile.upstreamImage} (${pullError}) and no local build exists for ${profile.kind}; set topology.image to an image present on this machine`);
    }
    const built = await buildHostRedisImage(log);
    return { image: built.image, how: `${built.how}; ${profile.upstreamImage} could not be pulled (${pullError})` };
  }
  throw new InfrastructureError(`server "${profile.kind}" has no default image: set topology.image in the scenario`);
}

/**
 * The image the sentinels run: the data nodes' own when their server ships a sentinel, else the image
 * of the profile whose sentinel watches them (Ferrite: Redis Sentinel, resolved as `image: auto`).
 */
export async function resolveSentinelImage(topology: Pick<Scenario['topology'], 'server' | 'image'>, dataImage: ResolvedImage, log: Log): Promise<ResolvedImage> {
  const sentinel = sentinelProfileFor(topology.server);
  if (sentinel.kind === topology.server) return dataImage;
  const image = await resolveServerImage({ server: sentinel.kind, image: 'auto' }, log);
  return { image: image.image, how: `${image.how}, for ${sentinel.displayName} Sentinel (${PROFILES[topology.server].displayName} ships no sentinel)` };
}

async function ensureNamedImage(image: string): Promise<ResolvedImage> {
  if (await imageExists(image)) return { image, how: `${image} (already present)` };
  const pullError = await tryPull(image);
  if (pullError === null) return { image, how: `${image} (pulled)` };
  throw new InfrastructureError(`image ${image} is not on this machine and cannot be pulled: ${pullError}`);
}

/** Version of the host's redis-server, e.g. "7.0.15"; null when it is not installed. */
export function hostRedisVersion(): string | null {
  try {
    const out = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
    return /v=(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? null;
  } catch {
    return null;
  }
}

export async function buildHostRedisImage(log: Log): Promise<ResolvedImage> {
  const version = hostRedisVersion();
  if (!version) {
    throw new InfrastructureError(
      'No registry is reachable and redis-server is not installed on this host to build an image from; install it (Debian: apt-get install redis-server redis-sentinel, or npm run setup).',
    );
  }
  const image = `ferrite-drill/redis:${version}-host`;
  if (await imageExists(image)) return { image, how: `${image} (built earlier from this host's redis-server ${version})` };
  log(`building ${image} from this host's redis-server ${version} ...`);
  const server = realpathSync('/usr/bin/redis-server');
  const spec: RootfsSpec = {
    binaries: [
      [server, '/usr/bin/redis-server'],
      ['/usr/bin/redis-cli', '/usr/bin/redis-cli'],
    ],
    symlinks: [['/usr/bin/redis-sentinel', 'redis-server']],
    dirs: [['/data', 0o777], ['/tmp', 0o1777]],
    dockerfileTail: [`LABEL ${LABEL_IMAGE}=host`, 'WORKDIR /data', 'EXPOSE 6379 26379', 'CMD ["redis-server"]'],
  };
  await buildImage(image, spec);
  return { image, how: `${image} (built from this host's redis-server ${version})` };
}

export const NETTOOLS_IMAGE = 'ferrite-drill/nettools:host';

/** The helper image for network faults (iptables, ip, tc), run in the target's network namespace. */
export async function ensureNettoolsImage(log: Log): Promise<ResolvedImage> {
  if (await imageExists(NETTOOLS_IMAGE)) return { image: NETTOOLS_IMAGE, how: `${NETTOOLS_IMAGE} (already present)` };
  const required = ['/usr/sbin/xtables-nft-multi', '/usr/sbin/ip', '/usr/sbin/tc'];
  const missing = required.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new InfrastructureError(`cannot build the fault-injection helper image: missing ${missing.join(', ')} on this host (Debian: apt-get install iptables iproute2, or npm run setup)`);
  }
  log(`building ${NETTOOLS_IMAGE} from this host's iptables and iproute2 ...`);
  const xt = ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore'];
  const spec: RootfsSpec = {
    binaries: [
      ['/usr/sbin/xtables-nft-multi', '/usr/sbin/xtables-nft-multi'],
      ['/usr/sbin/ip', '/usr/sbin/ip'],
      ['/usr/sbin/tc', '/usr/sbin/tc'],
      ['/usr/bin/sleep', '/usr/bin/sleep'],
      ['/usr/bin/dash', '/bin/sh'],
    ],
    symlinks: xt.map((name) => [`/usr/sbin/${name}`, 'xtables-nft-multi'] as [string, string]),
    // iptables loads its matches/targets as plugins: without them `-j DROP` fails ("Chain 'DROP' does not exist").
    folders: ['/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/x86_64-linux-gnu/tc'],
    dirs: [['/tmp', 0o1777], ['/run', 0o755], ['/etc/iproute2', 0o755]],
    dockerfileTail: [`LABEL ${LABEL_IMAGE}=host`, 'CMD ["sleep", "infinity"]'],
  };
  await buildImage(NETTOOLS_IMAGE, spec);
  return { image: NETTOOLS_IMAGE, how: `${NETTOOLS_IMAGE} (built from this host's iptables/iproute2)` };
}

export async function buildImage(tag: string, spec: RootfsSpec): Promise<void> {
  const stream = await docker().buildImage(packBuildContext(spec) as unknown as NodeJS.ReadableStream, { t: tag, rm: true, forcerm: true });
  await new Promise<void>((resolve, reject) => {
    docker().modem.followProgress(
      stream,
      (err, output) => {
        const failure = err ?? (output as { error?: string }[] | undefined)?.find((o) => o.error)?.error;
        if (failure) reject(new InfrastructureError(`building ${tag} failed: ${String((failure as Error).message ?? failure)}`));
        else resolve();
      },
    );
  });
}
