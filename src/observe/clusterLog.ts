/**
 * Redis Cluster events from a node's own log, with the node's own millisecond timestamps: who marked
 * whom as failing, state changes, elections. Authoritative for the timeline (the poller only samples).
 */
import type { ClusterLogEvent } from '../record/events.ts';
import { parseRedisLog } from './sentinelTap.ts';

export interface ClusterLogLine {
  wall: number;
  event: ClusterLogEvent;
  /** The 40-character id of the node the line is about, when it names one. */
  subjectId: string | null;
  detail: string;
}

const PATTERNS: [RegExp, ClusterLogEvent][] = [
  [/^Marking node ([0-9a-f]{40}) (?:\(.*\) )?as failing \(quorum reached\)/, 'fail'],
  [/^Clear FAIL state for node ([0-9a-f]{40})/, 'fail-cleared'],
  [/^Cluster state changed: fail/, 'state-fail'],
  [/^Cluster state changed: ok/, 'state-ok'],
  [/^Starting a failover election for epoch/, 'failover-start'],
  [/^Failover election won/, 'election-won'],
];

export function parseClusterLog(text: string): ClusterLogLine[] {
  const out: ClusterLogLine[] = [];
  for (const line of parseRedisLog(text)) {
    for (const [pattern, event] of PATTERNS) {
      const m = pattern.exec(line.text);
      if (!m) continue;
      out.push({ wall: line.wall, event, subjectId: m[1] ?? null, detail: line.text });
      break;
    }
  }
  return out;
}
