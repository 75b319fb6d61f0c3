/** A node's host limits as the create provisioner hands them to the runtime and the server's config. */
import { describe, it, expect } from 'vitest';
import { DATA_DISK_DIR, nodeHostSettings } from '../../src/topology/provision/create.ts';
import { redisDataNodeConfig } from '../../src/topology/serverConfig.ts';
import { parseScenarioText } from '../../src/scenario/loader.ts';

describe('node host settings', () => {
  it('a data disk is a tmpfs of that size and the server\'s dir points at it; a memory limit is the container\'s', () => {
    const limits = nodeHostSettings({ memory: 64 * 1024 * 1024, dataDisk: 16 * 1024 * 1024 });
    expect(limits.host).toEqual({ memoryBytes: 67108864, tmpfs: { [DATA_DISK_DIR]: 'rw,size=16777216' } });
    const topology = parseScenarioText('name: t\nduration: 10s\ntopology: { serverConfig: { dir: /elsewhere, appendonly: yes } }\n', 'f.yaml').topology;
    const conf = redisDataNodeConfig({ topology, tls: false, enableDebugCommand: false }, { replicaOf: null, modeLines: [], overrides: limits.overrides });
    // The disk's dir wins over the scenario's, for this node only.
    expect(conf.split('\n').filter((l) => l.startsWith('dir '))).toEqual([`dir ${DATA_DISK_DIR}`]);
    expect(conf).toContain('appendonly yes');
  });

  it('nothing without settings, and no dir override for a memory limit alone', () => {
    expect(nodeHostSettings(undefined)).toEqual({});
    expect(nodeHostSettings({ memory: 1024 })).toEqual({ host: { memoryBytes: 1024 } });
  });
});
