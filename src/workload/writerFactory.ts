/**
 * Which client each writer uses: the HA mode's own (a Sentinel-aware or Cluster client); when the
 * scenario puts HAProxy in front, a plain connection to HAProxy that learns which server it reached;
 * and in a Sentinel-mode topology without sentinels (a manual failover: the operator promotes), a plain
 * connection to whichever node is primary now, asked again after every drop or READONLY.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import type { WriterClient } from '../topology/modes/mode.ts';
import type { Journal } from '../record/journal.ts';
import type { Scenario } from '../scenario/schema.ts';
import { DirectWriter, type DirectTarget } from './directWriter.ts';
import { writerSettings } from './clientOptions.ts';

export type WriterFactory = (writer: number, stopping: () => boolean) => WriterClient;

/** How long one "who is primary now" answer serves every writer (each lookup asks every data node). */
const PRIMARY_LOOKUP_REUSE_MS = 50;

export function writerFactory(dep: Deployment, scenario: Scenario, journal: Journal): WriterFactory {
  const proxy = dep.proxy;
  const settings = writerSettings(scenario);
  if (!proxy && dep.mode.name === 'sentinel' && dep.sentinels.length === 0) {
    const primaryNow = sharedLookup(async () => (await dep.mode.primaries(dep)).get(1), PRIMARY_LOOKUP_REUSE_MS);
    const target = async (): Promise<DirectTarget> => {
      const p = await primaryNow();
      if (!p) throw new Error('no node is primary right now');
      return { ...dep.access.address(p), node: p.name };
    };
    return (writer, stopping) => new DirectWriter(dep, writer, journal, target, scenario.load.wait, settings, stopping);
  }
  if (!proxy) return (writer, stopping) => dep.mode.writerClient(dep, writer, journal, stopping);
  const address = dep.access.address(proxy);
  return (writer, stopping) =>
    new DirectWriter(dep, writer, journal, async () => address, scenario.load.wait, settings, stopping, async (client) => {
      // Through a proxy the socket's peer is the proxy: the server says who it is (its run_id).
      const runId = parseInfo(String(await client.info('server'))).run_id;
      return runId ? (await dep.nodeByRunId(runId))?.name : undefined;
    });
}

/**
 * One lookup shared by every writer: concurrent callers get the same answer, and an answer is reused for
 * `reuseMs` — after a drop, N writers asking at once must not each poll every node.
 */
function sharedLookup(lookup: () => Promise<Node | undefined>, reuseMs: number): () => Promise<Node | undefined> {
  let last: { at: number; answer: Promise<Node | undefined> } | undefined;
  return () => {
    const now = performance.now();
    if (!last || now - last.at > reuseMs) last = { at: now, answer: lookup().catch(() => undefined) };
    return last.answer;
  };
}
