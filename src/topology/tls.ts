/**
 * TLS for a drill: a throwaway certificate authority made for one run, and one certificate it signs for
 * every party (servers, sentinels, and the harness as a client). The certificate names every address a
 * connection can be made to (127.0.0.1 for the harness's published ports, each node's fixed address
 * for replication and Sentinel), so hostnames are verified, not waved through. Keys live in a private
 * temporary directory that is removed at teardown, and in the drill's own containers; they are never
 * written to the run's output. Made with the openssl command-line tool.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ConnectionOptions } from 'node:tls';
import { InfrastructureError } from '../util/errors.ts';

const run = promisify(execFile);

export interface TlsMaterial {
  /** PEM texts, for the containers and the harness's clients. */
  ca: string;
  cert: string;
  key: string;
  /** Private directory holding the files while the run lasts. */
  dir: string;
}

/** Where the material sits inside each container. */
export const TLS_DIR_IN_CONTAINER = '/data/tls';

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new InfrastructureError('this scenario uses TLS, which needs the openssl command to make its throwaway CA; install it (Debian: apt-get install openssl, or npm run setup)');
    }
    throw new InfrastructureError(`openssl ${args[0]} failed while making the drill's certificates: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** A CA and a certificate valid for `addresses` (IPs) and `names` (DNS), both for two days. */
export async function makeDrillCertificates(runId: string, addresses: string[], names: string[]): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), `ferrite-drill-tls-${runId}-`)); // mode 0700
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=ferrite-drill run ${runId} CA`], dir);
    await openssl(['req', ...ec, '-keyout', 'node.key', '-out', 'node.csr', '-subj', `/CN=ferrite-drill run ${runId}`], dir);
    const san = [...addresses.map((a) => `IP:${a}`), ...names.map((n) => `DNS:${n}`)].join(',');
    // Both usages: servers present it, and so do replicas, sentinels and the harness as clients.
    await writeFile(join(dir, 'node.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
    await openssl(['x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'node.ext', '-out', 'node.crt'], dir);
    await rm(join(dir, 'ca.key')); // nothing is signed after this
    const [ca, cert, key] = await Promise.all(['ca.crt', 'node.crt', 'node.key'].map((f) => readFile(join(dir, f), 'utf8')));
    return { ca, cert, key, dir };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function removeDrillCertificates(material: TlsMaterial | undefined): Promise<void> {
  if (material) await rm(material.dir, { recursive: true, force: true });
}

/** Files for a container's /data/tls (the key readable by the server user of upstream images too). */
export function tlsFiles(material: TlsMaterial): Record<string, string> {
  return { 'tls/ca.crt': material.ca, 'tls/node.crt': material.cert, 'tls/node.key': material.key };
}

/**
 * Config lines for a data node or a sentinel: TLS only (the plain port is closed), TLS for replication
 * and for Sentinel's links, and client certificates as the scenario says.
 */
export function tlsConfig(port: number, clientAuth: 'required' | 'optional' | 'no'): string[] {
  return [
    'port 0',
    `tls-port ${port}`,
    `tls-cert-file ${TLS_DIR_IN_CONTAINER}/node.crt`,
    `tls-key-file ${TLS_DIR_IN_CONTAINER}/node.key`,
    `tls-ca-cert-file ${TLS_DIR_IN_CONTAINER}/ca.crt`,
    `tls-auth-clients ${clientAuth === 'required' ? 'yes' : clientAuth}`,
    'tls-replication yes',
  ];
}

/** How the harness's clients connect: verify the server against the drill's CA, present the certificate. */
export function clientTlsOptions(material: TlsMaterial): ConnectionOptions {
  return { ca: material.ca, cert: material.cert, key: material.key };
}
