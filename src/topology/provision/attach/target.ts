/**
 * What `--attach` names, and whether it is on this machine: `compose:<project>` (Compose's own project
 * label) or `label:<key>=<value>`. Pure, so the command line's mistakes are found before Docker is asked.
 */
import { networkInterfaces } from 'node:os';
import { InputError } from '../../../util/errors.ts';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export interface AttachTarget {
  /** As the user wrote it, for messages ("compose:shop"). */
  spec: string;
  label: string;
  value: string;
}

/** Refusing to attach: bad input (exit 2), said in one sentence, with nothing touched. */
export class AttachRefused extends InputError {
  constructor(target: AttachTarget | string, why: string) {
    super(`cannot attach to ${typeof target === 'string' ? target : target.spec}: ${why}`);
    this.name = 'AttachRefused';
  }
}

export function parseAttachTarget(spec: string): AttachTarget {
  const compose = /^compose:(.+)$/.exec(spec);
  if (compose) {
    const project = compose[1];
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(project)) throw new AttachRefused(spec, `"${project}" is not a Compose project name (lower-case letters, digits, "-" and "_")`);
    return { spec, label: COMPOSE_PROJECT_LABEL, value: project };
  }
  const label = /^label:([^=\s]+)=(\S+)$/.exec(spec);
  if (label) return { spec, label: label[1], value: label[2] };
  throw new AttachRefused(spec, 'expected compose:<project> or label:<key>=<value>');
}

/** Why the Docker engine DOCKER_HOST names is another machine (its containers' ports are not here), or null. */
export function remoteEngine(dockerHost: string | undefined): string | null {
  if (!dockerHost || dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://')) return null;
  const host = /^[a-z]+:\/\/\[?([^\]/:]+)/.exec(dockerHost)?.[1] ?? dockerHost;
  if (isLocalAddress(host) || host === 'localhost') return null;
  return `DOCKER_HOST=${dockerHost} is an engine on another machine, so its containers' ports are not on this one (the harness only drills what runs here)`;
}

/**
 * Whether a published port's host address is on this machine: loopback, "all interfaces" (which
 * includes loopback), or one of this machine's own addresses.
 */
export function isLocalAddress(ip: string, own: string[] = ownAddresses()): boolean {
  if (ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '::1' || ip.startsWith('127.')) return true;
  return own.includes(ip);
}

function ownAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}
