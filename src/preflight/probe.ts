/**
 * The preflight's own connections and how it quotes what it saw. Its connections are its own (a SET and
 * the WAIT after it must share one, since WAIT counts that connection's writes), with a timeout longer
 * than any WAIT it sends. Every reply is kept as text for the evidence, errors included.
 */
import type { Deployment } from '../topology/deployment.ts';
import type { Node } from '../topology/node.ts';
import { AdminClients } from '../topology/admin.ts';

export type Reply = { ok: true; value: unknown } | { ok: false; error: string };

export class Probe {
  private readonly clients = new AdminClients(3000);

  constructor(private readonly dep: Deployment) {}

  /** One command; never throws: an error is a reply too. */
  async call(node: Node, command: string, ...args: (string | number)[]): Promise<Reply> {
    try {
      return { ok: true, value: await this.clients.call(this.dep.access.endpoint(node), command, ...args) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  close(): void {
    this.clients.closeAll();
  }
}

/** A reply as evidence: errors as (error) ..., arrays as JSON, long text cut. */
export function quote(reply: Reply, max = 160): string {
  if (reply.ok && reply.value === null) return '(nil)';
  const text = reply.ok ? (typeof reply.value === 'string' ? reply.value : JSON.stringify(reply.value)) : `(error) ${reply.error}`;
  const oneLine = text.replace(/\r?\n/g, ' ').trim();
  if (reply.ok && oneLine === '') return '(empty reply)';
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** INFO text as a record (the fields a check looks at). */
export function infoFields(reply: Reply): Record<string, string> {
  if (!reply.ok || typeof reply.value !== 'string') return {};
  const out: Record<string, string> = {};
  for (const line of reply.value.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** Selected INFO fields as "k:v k:v", "-" where absent: evidence of what was (not) there. */
export function fieldsSeen(info: Record<string, string>, keys: string[]): string {
  return keys.map((k) => `${k}:${info[k] ?? '(absent)'}`).join(' ');
}

/** Polls `probe` until it returns true or `ms` passes; returns how long it took, or null. */
export async function within(ms: number, probe: () => Promise<boolean>, intervalMs = 10): Promise<number | null> {
  const start = performance.now();
  for (;;) {
    if (await probe()) return Math.round(performance.now() - start);
    if (performance.now() - start >= ms) return null;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
