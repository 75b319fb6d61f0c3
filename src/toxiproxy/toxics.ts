/**
 * Toxics as Toxiproxy defines them (same names, streams, attributes and units), so a scenario's toxic
 * means the same thing whether this proxy or a real Toxiproxy applies it. `upstream` is the data the
 * client sends to the server, `downstream` the server's answers.
 */
import { z } from 'zod';

export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];
export type Stream = 'upstream' | 'downstream';

const ms = z.number().int().min(0);
/** Attributes per type, in Toxiproxy's units: ms, and KB/s for bandwidth. */
const ATTRIBUTES = {
  latency: z.strictObject({ latency: ms.default(0), jitter: ms.default(0) }),
  bandwidth: z.strictObject({ rate: z.number().int().min(1) }),
  slow_close: z.strictObject({ delay: ms.default(0) }),
  timeout: z.strictObject({ timeout: ms.default(0) }),
  reset_peer: z.strictObject({ timeout: ms.default(0) }),
} as const;

export interface Toxic {
  name: string;
  type: ToxicType;
  stream: Stream;
  /** Probability (0..1) that the toxic applies to a connection; decided once per connection. */
  toxicity: number;
  attributes: Record<string, number>;
}

const toxicInput = z.object({
  name: z.string().min(1).optional(),
  type: z.enum(TOXIC_TYPES),
  stream: z.enum(['upstream', 'downstream']).default('downstream'),
  toxicity: z.number().min(0).max(1).default(1),
  attributes: z.record(z.string(), z.number()).default({}),
});

/** A toxic from API input, with Toxiproxy's defaults (stream downstream, toxicity 1, name `<type>_<stream>`). */
export function parseToxic(input: unknown): Toxic {
  const t = toxicInput.parse(input);
  const attributes = ATTRIBUTES[t.type].parse(t.attributes) as Record<string, number>;
  return { name: t.name ?? `${t.type}_${t.stream}`, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes };
}

/** Adds up a random sign: latency ± jitter, never below zero (Toxiproxy draws uniformly in the same range). */
export function latencyOf(toxic: Toxic, random: () => number = Math.random): number {
  const { latency = 0, jitter = 0 } = toxic.attributes;
  return Math.max(0, latency + (jitter > 0 ? (random() * 2 - 1) * jitter : 0));
}

/** How long `bytes` take at a bandwidth toxic's rate (KB/s), ms. */
export function transferMs(toxic: Toxic, bytes: number): number {
  return (bytes / (toxic.attributes.rate * 1024)) * 1000;
}
