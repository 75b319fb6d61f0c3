/**
 * A suite: several drills run one after another with one summary (index.html, suite.json, one
 * junit.xml) — the nightly job, or the pre-go-live validation of a deployment.
 */
import { z } from 'zod';

export const suiteSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'names are lower-case words joined by "-"'),
    description: z.string().default(''),
    scenarios: z
      .array(z.string().min(1, 'a scenario is a built-in name or a path'))
      .min(1, 'a suite runs at least one scenario')
      .max(100)
      .meta({ description: 'Built-in scenario names or paths (relative to the suite file), run in this order; one may be listed more than once.' }),
    checklist: z
      .record(z.string(), z.string().trim().min(1, 'a checklist item says in words what the drill checks'))
      .default({})
      .meta({ description: 'The checklist item each drill checks, in the sign-off report: scenario name -> words (default: the first sentence of its description).' }),
    stopOnFailure: z.boolean().default(false).meta({ description: 'Skip the remaining drills once one fails or cannot run.' }),
  })
  .meta({ title: 'ferrite-drill suite' });

export type Suite = z.output<typeof suiteSchema>;
