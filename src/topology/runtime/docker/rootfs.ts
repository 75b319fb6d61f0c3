/**
 * Assembles a minimal image from binaries already on this host (for machines with no registry): each
 * binary plus the shared libraries `ldd` lists, packed as a `FROM scratch` build context.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import tar from 'tar-stream';

export interface RootfsSpec {
  /** Host binaries to copy: [host path, path in the image]. */
  binaries: [string, string][];
  /** Extra symlinks in the image: [link path, target]. */
  symlinks?: [string, string][];
  /** Whole host folders copied as they are (e.g. iptables' extension libraries), with their libraries. */
  folders?: string[];
  /** Empty folders to create, with mode. */
  dirs?: [string, number][];
  /** Dockerfile lines after `FROM scratch` and `COPY rootfs/ /`. */
  dockerfileTail: string[];
}

/** Shared libraries a binary needs, as absolute host paths (the loader included). */
export function sharedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // static binaries make ldd exit non-zero
  }
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path) libs.add(path);
  }
  return [...libs];
}

/** Packs the build context (Dockerfile + rootfs/) into a tar stream for Docker's build API. */
export function packBuildContext(spec: RootfsSpec): tar.Pack {
  const pack = tar.pack();
  const files = new Map<string, string>(); // image path -> host path
  const addWithLibs = (hostPath: string, imagePath: string) => {
    files.set(imagePath, hostPath);
    for (const lib of sharedLibraries(hostPath)) files.set(lib, lib);
  };
  for (const [host, image] of spec.binaries) addWithLibs(host, image);
  for (const folder of spec.folders ?? []) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isFile()) addWithLibs(path, path);
    }
  }
  const dirs = new Set<string>();
  const ensureDirs = (imagePath: string) => {
    const parts = imagePath.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) {
        dirs.add(dir);
        pack.entry({ name: `rootfs/${dir}`, type: 'directory', mode: 0o755 });
      }
    }
  };
  const dockerfile = ['FROM scratch', 'COPY rootfs/ /', ...spec.dockerfileTail].join('\n') + '\n';
  pack.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  for (const [imagePath, hostPath] of [...files].sort()) {
    ensureDirs(imagePath);
    const real = realpathSync(hostPath);
    pack.entry({ name: `rootfs${imagePath}`, mode: statSync(real).mode & 0o777 }, readFileSync(real));
  }
  for (const [link, target] of spec.symlinks ?? []) {
    ensureDirs(link);
    pack.entry({ name: `rootfs${link}`, type: 'symlink', linkname: target });
  }
  for (const [dir, mode] of spec.dirs ?? []) {
    ensureDirs(dir + '/x');
    pack.entry({ name: `rootfs${dir}`, type: 'directory', mode });
  }
  pack.finalize();
  return pack;
}
