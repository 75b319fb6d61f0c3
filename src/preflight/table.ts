/** The preflight as a plain-text table for the terminal: one row per check, the evidence under it. */
import type { PreflightReport } from '../record/result.ts';

const MARK: Record<string, string> = { pass: 'pass', fail: 'FAIL', unsupported: 'UNSUPPORTED', skipped: 'skipped' };

export function formatPreflightTable(report: PreflightReport, server: string): string {
  const width = Math.max(...report.checks.map((c) => c.id.length), 5);
  const lines = [`HA conformance preflight: ${server}`, '', `${'check'.padEnd(width)}  ${'status'.padEnd(11)}  ${'needed'.padEnd(6)}  ${'ms'.padStart(6)}  what`];
  for (const c of report.checks) {
    lines.push(`${c.id.padEnd(width)}  ${MARK[c.status].padEnd(11)}  ${(c.required ? 'yes' : 'no').padEnd(6)}  ${String(c.ms).padStart(6)}  ${c.title}`);
    if (c.status !== 'pass' || c.required === false) lines.push(`${' '.repeat(width + 2)}why: ${c.why}`);
    for (const e of c.evidence) lines.push(`${' '.repeat(width + 2)}- ${e}`);
  }
  lines.push('');
  if (report.missing.length === 0) lines.push(`every check this drill relies on passed (${report.ms} ms)${report.warnings.length ? `; not needed here but not passed: ${report.warnings.join(', ')}` : ''}`);
  else lines.push(`MISSING for this drill: ${report.missing.join(', ')} (${report.ms} ms)${report.warnings.length ? `; also not passed: ${report.warnings.join(', ')}` : ''}`);
  return lines.join('\n') + '\n';
}
