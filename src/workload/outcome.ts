/**
 * Turning what a client library reported into one honest ledger outcome per write. A write is `ok`
 * (with its WAIT reply), `fail` (a definite error: it was not applied) or `indeterminate` (it may or
 * may not have been applied). Client libraries may send a write more than once (a re-send after a
 * dropped connection, a redirect); a definite error from a later attempt says nothing about an earlier
 * attempt that was lost with its connection, so such a write is indeterminate.
 */
import { Code, NODE_UNKNOWN, WAIT_UNKNOWN, outcomeOf } from '../record/ledger.ts';
import type { WriteOutcome } from '../topology/modes/mode.ts';
import { classifyError } from './classify.ts';

/** Tracks whether any of a client's connections dropped while a write was in flight. */
export class DropCounter {
  private drops = 0;

  /** Call on every connection close of the writer's client. */
  dropped(): void {
    this.drops++;
  }

  /** A mark to compare against after the write. */
  mark(): number {
    return this.drops;
  }

  droppedSince(mark: number): boolean {
    return this.drops !== mark;
  }
}

/**
 * The outcome of a write that ended in an error. `mayHaveBeenSentBefore`: the client could have sent
 * it on a connection that then dropped (and re-sent it), so a definite-looking error is not definite.
 */
export function failedOutcome(err: unknown, mayHaveBeenSentBefore: boolean, onUnclassified: (err: unknown) => void): WriteOutcome {
  let code: number = classifyError(err);
  if (code === Code.unknown) onUnclassified(err);
  if (mayHaveBeenSentBefore && code !== Code.notConnected && outcomeOf(code) === 'fail') code = Code.connectionLost;
  return { code, waitReply: WAIT_UNKNOWN, node: NODE_UNKNOWN };
}

/** The WAIT reply of an acknowledged write, or WAIT_UNKNOWN when WAIT failed or never answered. */
export function waitReplyOf(result: [Error | null, unknown] | undefined): number {
  return result && !result[0] ? Number(result[1]) : WAIT_UNKNOWN;
}
