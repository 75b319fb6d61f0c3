/**
 * aof-damage: a crash that leaves a damaged append-only file behind. The node is SIGKILLed, then the
 * last incremental AOF file its manifest names is cut short (`truncate`: its last `bytes` bytes gone, so
 * the last command ends midway, as after a torn write) or garbled (`corrupt`: `bytes` bytes in its middle
 * overwritten). Heal: start it again from that file. What the server does then is the drill: with
 * `aof-load-truncated yes` a truncated file loads and the node rejoins; with `no`, or a corrupt file, the
 * server refuses to start (exit 1) and stays down.
 */
import { z } from 'zod';
import { faultCommon, size, target } from '../../scenario/primitives.ts';
import type { Deployment } from '../../topology/deployment.ts';
import type { Node } from '../../topology/node.ts';
import type { FaultKind } from '../kind.ts';
import { healEach, resolveTarget, startAgain, targetOf } from './common.ts';
import { sleep } from '../../util/time.ts';

const schema = z.strictObject({
  ...faultCommon,
  fault: z.literal('aof-damage'),
  target: target.default('replica'),
  damage: z.enum(['truncate', 'corrupt']).default('truncate').meta({ description: 'truncate: cut the tail of the last AOF file; corrupt: overwrite bytes in its middle.' }),
  bytes: size.default(7).meta({ description: 'How many bytes to cut or overwrite (default 7: less than one SET command).' }),
});
type Entry = z.output<typeof schema>;

export const aofDamage: FaultKind<typeof schema> = {
  name: 'aof-damage',
  schema,
  summary: "SIGKILL, then the tail of the node's last AOF file cut (`truncate`) or its middle garbled (`corrupt`); heal: start it again from the damaged file",
  describe: (e) => `aof-damage (${e.damage} ${e.bytes} bytes) ${e.target}`,
  targetsOf: targetOf,
  kills: () => true,
  resolve: resolveTarget,
  async inject(entry, { nodes }, { dep, journal, expectDeath }) {
    const heals = [];
    for (const n of nodes) {
      // Where the node keeps its AOF, asked while it still answers.
      const dir = await aofDir(dep, n);
      await dep.runtime.signal(n, 'SIGKILL');
      await waitStopped(dep, n);
      const damaged = await damageAof(dep, n, dir, entry);
      journal.append('fault.aof-damage', { node: n.name, ...damaged });
      heals.push(async () => {
        // A server that refuses its AOF exits at once after the start: that death is the drill's finding.
        expectDeath?.(n.name);
        await startAgain(dep, n);
        journal.append('fault.aof-restart', { node: n.name, ...(await restartOutcome(dep, n)) });
      });
    }
    return { heal: healEach(heals), healAtTeardown: false };
  },
};

async function aofDir(dep: Deployment, n: Node): Promise<string> {
  const [, dir] = (await dep.command(n, 'CONFIG', 'GET', 'dir')) as [string, string];
  const [, sub] = (await dep.command(n, 'CONFIG', 'GET', 'appenddirname')) as [string, string];
  return `${dir}/${sub}`;
}

/**
 * After the start: did the server come up (PING answers PONG) or exit refusing its AOF (within 10 s),
 * with the server's own words about its AOF from its log.
 */
async function restartOutcome(dep: Deployment, n: Node): Promise<{ outcome: 'running' | 'exited' | 'unknown'; exitCode: number | null; log: string[] }> {
  let outcome: 'running' | 'exited' | 'unknown' = 'unknown';
  let exitCode: number | null = null;
  for (let i = 0; i < 100 && outcome === 'unknown'; i++) {
    const state = await dep.runtime.inspect(n);
    if (!state.running) {
      outcome = 'exited';
      exitCode = state.exitCode;
    } else if ((await dep.command(n, 'PING').catch(() => null)) === 'PONG') outcome = 'running';
    else await sleep(100);
  }
  const log = (await dep.runtime.logs(n).catch(() => ''))
    .split('\n')
    .filter((l) => /append only|AOF|aof-load-truncated|redis-check-aof/i.test(l))
    .slice(-4)
    .map((l) => l.replace(/^\d+:[A-Z] \d+ \w+ \d+ [\d:.]+ [#*.-] /, '').trim());
  return { outcome, exitCode, log };
}

async function waitStopped(dep: Deployment, n: Node): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (!(await dep.runtime.inspect(n)).running) return;
    await sleep(100);
  }
  throw new Error(`${n.name} still runs 5 s after SIGKILL`);
}

/** Damages the last incremental file the manifest lists; returns what was done. */
async function damageAof(dep: Deployment, n: Node, dir: string, entry: Entry): Promise<{ file: string; damage: 'truncate' | 'corrupt'; bytes: number; sizeBefore: number; sizeAfter: number }> {
  const files = await dep.runtime.readFiles(n, dir);
  const manifest = [...files].find(([name]) => name.endsWith('.manifest'))?.[1]?.toString('utf8');
  if (!manifest) throw new Error(`${n.name} has no AOF manifest in ${dir} (is appendonly yes?)`);
  // Manifest lines: "file appendonly.aof.2.incr.aof seq 2 type i"
  const incr = manifest
    .split('\n')
    .map((l) => /^file (\S+) seq (\d+) type i/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .at(-1)?.[1];
  const content = incr ? files.get(incr) : undefined;
  if (!incr || !content) throw new Error(`${n.name}: its AOF manifest names no incremental file in ${dir}`);
  if (content.length <= entry.bytes) throw new Error(`${n.name}: ${incr} has only ${content.length} bytes, too few to damage ${entry.bytes}`);
  let damaged: Buffer;
  if (entry.damage === 'truncate') damaged = content.subarray(0, content.length - entry.bytes);
  else {
    damaged = Buffer.from(content);
    damaged.fill(0x21, Math.floor(content.length / 2), Math.floor(content.length / 2) + entry.bytes); // '!': no RESP line starts so
  }
  await dep.runtime.writeFile(n, dir, incr, damaged);
  return { file: incr, damage: entry.damage, bytes: entry.bytes, sizeBefore: content.length, sizeAfter: damaged.length };
}
