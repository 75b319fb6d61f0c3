/** Every fault kind the timeline can name, one module each. Adding a kind is adding it here. */
import type { FaultKind } from './kind.ts';
import { kill } from './kinds/kill.ts';
import { stop } from './kinds/stop.ts';
import { restart } from './kinds/restart.ts';
import { pause } from './kinds/pause.ts';
import { stall } from './kinds/stall.ts';
import { partition } from './kinds/partition.ts';
import { loss } from './kinds/loss.ts';
import { bandwidth } from './kinds/bandwidth.ts';
import { netem } from './kinds/netem.ts';
import { latency } from './kinds/latency.ts';

export const FAULT_REGISTRY = [kill, stop, restart, pause, stall, partition, loss, bandwidth, netem, latency] as const;

export type FaultName = (typeof FAULT_REGISTRY)[number]['name'];

export function faultKind(name: string): FaultKind {
  const kind = FAULT_REGISTRY.find((k) => k.name === name);
  if (!kind) throw new Error(`unknown fault kind "${name}"`);
  return kind as unknown as FaultKind;
}
