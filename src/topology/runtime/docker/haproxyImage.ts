/**
 * The HAProxy image for drills that put HAProxy between the clients and the servers: the upstream image
 * when a registry answers, else one built from this host's Debian haproxy binary (FROM scratch, the binary
 * and the libraries `ldd` lists), and the run says which.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LABEL_IMAGE } from './client.ts';
import { buildImage, imageExists, tryPull, type ResolvedImage } from './images.ts';
import { InfrastructureError } from '../../../util/errors.ts';

const UPSTREAM = 'haproxy:2.8';
const HOST_BINARY = '/usr/sbin/haproxy';

/** Where the harness puts haproxy.cfg in the container (exists, and is readable, in both images). */
export const HAPROXY_CONFIG_DIR = '/tmp';

function hostHaproxyVersion(): string | null {
  try {
    return /version (\d+\.\d+\.\d+)/.exec(execFileSync(HOST_BINARY, ['-v'], { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    return null;
  }
}

export async function resolveHaproxyImage(log: (m: string) => void): Promise<ResolvedImage> {
  const version = hostHaproxyVersion();
  const local = version ? `ferrite-drill/haproxy:${version}-host` : null;
  if (local && (await imageExists(local))) return { image: local, how: `${local} (built earlier from this host's haproxy ${version})` };
  if (await imageExists(UPSTREAM)) return { image: UPSTREAM, how: `${UPSTREAM} (already present)` };
  log(`pulling ${UPSTREAM} ...`);
  const pullError = await tryPull(UPSTREAM);
  if (pullError === null) return { image: UPSTREAM, how: `${UPSTREAM} (pulled)` };
  if (!local || !existsSync(HOST_BINARY)) {
    throw new InfrastructureError(`this scenario puts HAProxy in front of the servers: ${UPSTREAM} cannot be pulled (${pullError}) and haproxy is not installed on this host to build an image from (Debian: apt-get install haproxy, or npm run setup)`);
  }
  log(`building ${local} from this host's haproxy ${version} ...`);
  await buildImage(local, {
    binaries: [[HOST_BINARY, '/usr/sbin/haproxy']],
    dirs: [['/tmp', 0o1777], ['/run', 0o755], ['/var/lib/haproxy', 0o755]],
    dockerfileTail: [`LABEL ${LABEL_IMAGE}=host`, 'CMD ["/usr/sbin/haproxy", "-f", "/tmp/haproxy.cfg"]'],
  });
  return { image: local, how: `${local} (built from this host's haproxy ${version}); ${UPSTREAM} could not be pulled (${pullError})` };
}
