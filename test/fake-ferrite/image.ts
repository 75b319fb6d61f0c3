/**
 * The image the non-conforming Ferrite test double runs in, built from this host's own node binary (the
 * binary plus the libraries ldd lists, FROM scratch) with server.mjs and smol-toml beside it. Like
 * Ferrite's published image, its entrypoint is the server and the harness passes `--config <file>`;
 * its data folder is /var/lib/ferrite/data. Tagged by a hash of what goes in, so a change rebuilds it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildImage, imageExists } from '../../src/topology/runtime/docker/images.ts';
import { LABEL_OWNER } from '../../src/topology/runtime/docker/client.ts';

const SERVER = join(import.meta.dirname, 'server.mjs');

export async function ensureFakeFerriteImage(): Promise<string> {
  const node = realpathSync(process.execPath);
  const smolToml = createRequire(import.meta.url).resolve('smol-toml'); // the self-contained CommonJS build
  const hash = createHash('sha256').update(readFileSync(SERVER)).update(readFileSync(smolToml)).update(process.version).digest('hex').slice(0, 12);
  const tag = `ferrite-drill/fake-ferrite:${hash}`;
  if (await imageExists(tag)) return tag;
  await buildImage(tag, {
    binaries: [
      [node, '/usr/local/bin/node'],
      [SERVER, '/opt/fake-ferrite/server.mjs'],
      [smolToml, '/opt/fake-ferrite/smol-toml.cjs'],
    ],
    dirs: [['/var/lib/ferrite/data', 0o777], ['/etc', 0o755], ['/tmp', 0o1777]],
    dockerfileTail: [`LABEL ${LABEL_OWNER}=true dev.ferrite-drill.source=test-double`, 'WORKDIR /var/lib/ferrite', 'EXPOSE 6379', 'ENTRYPOINT ["/usr/local/bin/node", "/opt/fake-ferrite/server.mjs"]'],
  });
  return tag;
}
