/**
 * Before the suite: remove what dead drills left behind (e.g. a run killed by a reboot), so the tests'
 * leak checks judge only this suite's runs. Live runs are left alone, and what was removed is printed.
 */
import { cleanLeftovers } from '../src/topology/runtime/docker/cleanup.ts';
import { dockerMissingReason } from './integration/docker-available.ts';

export default async function setup(): Promise<void> {
  if (dockerMissingReason) return;
  const removed = await cleanLeftovers({ all: false });
  if (removed.containers.length + removed.networks.length > 0) {
    console.log(`before the tests: removed leftovers of dead runs: ${[...removed.containers, ...removed.networks].join(', ')}`);
  }
}
