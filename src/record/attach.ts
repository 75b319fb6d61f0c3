/** The words for an attached deployment's end state, shared by the progress line, the summary and the report. */
import type { AttachLeft } from './events.ts';

/** One line on the state the deployment was left in. */
export function describeLeft(target: string, left: AttachLeft): string {
  const primary = left.primary === null ? 'no primary could be determined' : left.primary === left.initialPrimary ? `${left.primary} is primary, as before the drill` : `${left.primary} is primary now (it was ${left.initialPrimary})`;
  const again = [...left.restarted.map((n) => `started ${n} again`), ...left.unpaused.map((n) => `unpaused ${n}`)];
  const restore = left.restore ? `; --restore-primary: ${left.restore.note}` : '';
  const down = left.notRunning.length ? `; NOT running: ${left.notRunning.join(', ')}` : '; every container runs';
  return `left ${target} as: ${primary}${left.converged ? ', converged' : ', NOT converged'}${down}${again.length ? ` (${again.join(', ')})` : ''}${restore}`;
}
