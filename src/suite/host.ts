/**
 * Where a suite ran, for the sign-off report: the machine, its OS and kernel, and the Docker engine
 * the drills' containers ran on. Read once at the suite's start; nothing here may fail a suite.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem, type } from 'node:os';
import { assertDockerAvailable } from '../topology/runtime/docker/client.ts';

export interface HostInfo {
  hostname: string;
  /** The distribution's own name (/etc/os-release PRETTY_NAME), else the OS type. */
  os: string;
  kernel: string;
  arch: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  /** The Docker engine's version (null: it did not answer). */
  docker: string | null;
}

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) return m[1];
  } catch {
    // Not Linux, or no os-release: the OS type says enough.
  }
  return type();
}

export async function describeHost(): Promise<HostInfo> {
  const dockerVersion = await assertDockerAvailable().then((v) => v.version, () => null);
  return {
    hostname: hostname(),
    os: osName(),
    kernel: `${type()} ${release()}`,
    arch: arch(),
    cpus: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    docker: dockerVersion,
  };
}
