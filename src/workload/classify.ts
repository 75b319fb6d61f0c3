/**
 * Maps a client error to the ledger's code. The line that matters: an error that proves the server did
 * not apply the write is a failure; anything that leaves it unknown is indeterminate.
 */
import { Code, type CodeValue } from './ledger.ts';

export function classifyError(err: unknown): CodeValue {
  const e = err as { name?: string; message?: string };
  const message = e?.message ?? String(err);
  if (e?.name === 'ReplyError') {
    if (message.startsWith('READONLY')) return Code.readonly;
    if (message.startsWith('NOREPLICAS')) return Code.noreplicas;
    return Code.replyError;
  }
  // ioredis refuses to send when there is no connection and the offline queue is off: never sent.
  if (message.includes("Stream isn't writeable") || message.includes('enableOfflineQueue')) return Code.notConnected;
  if (message.includes('Command timed out')) return Code.timeout;
  // ioredis flushes in-flight commands of a dropped connection with "max retries per request": they may
  // have reached the server, so the outcome is unknown.
  if (message.includes('max retries per request')) return Code.connectionLost;
  if (message.includes('Connection is closed') || /ECONNRESET|EPIPE|ETIMEDOUT|socket/i.test(message)) return Code.connectionLost;
  return Code.unknown;
}
