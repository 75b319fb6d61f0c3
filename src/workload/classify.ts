/**
 * Maps a client error to the ledger's code. The line that matters: an error that proves the server did
 * not apply the write is a failure; anything that leaves it unknown is indeterminate.
 */
import { Code, type CodeValue } from '../record/ledger.ts';

const REPLY_CODES: [string, CodeValue][] = [
  ['READONLY', Code.readonly],
  ['NOREPLICAS', Code.noreplicas],
  ['MOVED', Code.moved],
  ['ASK', Code.moved],
  ['CLUSTERDOWN', Code.clusterDown],
  ['TRYAGAIN', Code.tryAgain],
  ['OOM', Code.oom],
  ['MISCONF', Code.misconf],
];

export function classifyError(err: unknown): CodeValue {
  const e = err as { name?: string; message?: string; lastNodeError?: unknown };
  const message = e?.message ?? String(err);
  if (e?.name === 'ReplyError') {
    const word = message.split(' ')[0];
    return REPLY_CODES.find(([prefix]) => word === prefix)?.[1] ?? Code.replyError;
  }
  // ioredis Cluster gave up redirecting: what happened to the write is what its last attempt says.
  const last = /^Too many Cluster redirections\. Last error: (.*)$/s.exec(message);
  if (last) return classifyError(e.lastNodeError ?? replyErrorLike(last[1]));
  // ioredis refuses to send when there is no connection and the offline queue is off: never sent.
  if (message.includes("Stream isn't writeable") || message.includes('enableOfflineQueue') || message.includes('None of startup nodes is available')) return Code.notConnected;
  if (message.includes('Command timed out')) return Code.timeout;
  // ioredis flushes in-flight commands of a dropped connection with "max retries per request": they may
  // have reached the server, so the outcome is unknown.
  if (message.includes('max retries per request')) return Code.connectionLost;
  // A pipeline cut by a dropped connection (SET sent, WAIT not): the SET may have been applied.
  if (message.includes('Command aborted due to connection close')) return Code.connectionLost;
  if (message.includes('Connection is closed') || /ECONNRESET|EPIPE|ETIMEDOUT|socket/i.test(message)) return Code.connectionLost;
  return Code.unknown;
}

/** A server error quoted in a message ("CLUSTERDOWN The cluster is down") as a reply error. */
function replyErrorLike(text: string): { name: string; message: string } {
  const word = text.split(' ')[0];
  return REPLY_CODES.some(([prefix]) => prefix === word) ? { name: 'ReplyError', message: text } : { name: 'Error', message: text };
}
