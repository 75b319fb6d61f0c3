/**
 * The scenario's `regression` block: per-metric tolerances that override the catalogue's defaults when
 * this drill is compared with a baseline (--baseline).
 *
 *   regression:
 *     tolerance:
 *       rtoMs: { relative: 0.5, absolute: 1s }    # 50 % of the baseline + 1 s before it counts
 *       lostWrites.unconfirmed: { absolute: 0 }  # any increase counts
 *       writes.acknowledged: { ignore: true }    # not judged (still shown)
 */
import { z } from 'zod';
import { parseDurationMs } from '../util/time.ts';
import { COMPARABLE_NAMES, comparableMetric } from './catalogue.ts';

const DURATION_WITH_UNIT = /^\s*\d+(\.\d+)?\s*(ms|s|m|h)\s*$/;

const toleranceEntry = z
  .strictObject({
    relative: z.number().min(0).max(100).optional().meta({ description: 'Slack as a fraction of the baseline value (0.2 = 20 %).' }),
    absolute: z
      .union([z.number().nonnegative(), z.string().regex(DURATION_WITH_UNIT, 'expected a number in the metric\'s unit, or for a time a duration such as "500ms" or "2s"')])
      .optional()
      .meta({ description: 'Slack in the metric\'s own unit (ms, writes, writes/s), added to the relative slack; times also take "500ms", "2s".' }),
    ignore: z.literal(true).optional().meta({ description: 'Do not judge this metric (it is still shown side by side).' }),
  })
  .refine((t) => t.relative !== undefined || t.absolute !== undefined || t.ignore !== undefined, { message: 'give relative, absolute, both, or ignore: true' });

export const regressionSettings = z
  .strictObject({
    tolerance: z
      .partialRecord(z.enum(COMPARABLE_NAMES), toleranceEntry)
      .default({})
      .meta({ description: 'Per metric: how much worse than the baseline it may be before it is a regression.' }),
  })
  .superRefine((r, ctx) => {
    for (const [name, t] of Object.entries(r.tolerance)) {
      const unit = comparableMetric(name)?.unit;
      if (typeof t?.absolute === 'string' && unit !== 'ms') {
        ctx.addIssue({ code: 'custom', path: ['tolerance', name, 'absolute'], message: `"${t.absolute}" is a duration, but ${name} is counted in ${unit}: give a number` });
      }
    }
  })
  .transform((r) => ({
    tolerance: Object.fromEntries(
      Object.entries(r.tolerance).map(([name, t]) => [name, { ...t, absolute: t!.absolute === undefined ? undefined : (parseDurationMs(t!.absolute) as number) }]),
    ) as Record<string, ToleranceOverride>,
  }))
  .meta({ description: 'How this drill is compared with a baseline run (--baseline): tolerances per metric.' });

export interface ToleranceOverride {
  relative?: number;
  absolute?: number;
  ignore?: true;
}

export type RegressionSettings = z.output<typeof regressionSettings>;
