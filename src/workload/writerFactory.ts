/**
 * Which client each writer uses: the HA mode's own (a Sentinel-aware or Cluster client), or, when the
 * scenario puts HAProxy in front, a plain connection to HAProxy that learns which server it reached.
 */
import { parseInfo } from '../topology/admin.ts';
import type { Deployment } from '../topology/deployment.ts';
import type { WriterClient } from '../topology/modes/mode.ts';
import type { Journal } from '../record/journal.ts';
import type { Scenario } from '../scenario/schema.ts';
import { DirectWriter } from './directWriter.ts';
import { writerSettings } from './clientOptions.ts';

export type WriterFactory = (writer: number, stopping: () => boolean) => WriterClient;

export function writerFactory(dep: Deployment, scenario: Scenario, journal: Journal): WriterFactory {
  const proxy = dep.proxy;
  if (!proxy) return (writer, stopping) => dep.mode.writerClient(dep, writer, journal, stopping);
  const address = dep.access.address(proxy);
  return (writer, stopping) =>
    new DirectWriter(dep, writer, journal, async () => address, scenario.load.wait, writerSettings(scenario), stopping, async (client) => {
      // Through a proxy the socket's peer is the proxy: the server says who it is (its run_id).
      const runId = parseInfo(String(await client.info('server'))).run_id;
      return runId ? (await dep.nodeByRunId(runId))?.name : undefined;
    });
}
