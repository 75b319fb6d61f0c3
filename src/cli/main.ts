/** Commands only: parse the command line, call the engine, print, and exit with the right code. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadScenario, listBuiltinScenarios } from '../scenario/loader.ts';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { defaultOutDir, runDrill } from '../engine/run.ts';
import { writeRunOutputs } from '../report/write.ts';
import { createProgress } from '../engine/progress.ts';
import { cleanLeftovers } from '../topology/runtime/docker/cleanup.ts';
import { assertDockerAvailable } from '../topology/runtime/docker/client.ts';
import { resolveServerImage, ensureNettoolsImage } from '../topology/runtime/docker/images.ts';
import { resolveHaproxyImage } from '../topology/runtime/docker/haproxyImage.ts';
import { scenarioSchema } from '../scenario/schema.ts';
import { ExitCode, InputError, InfrastructureError } from '../util/errors.ts';
import { formatRepeatRunLine, formatRepeatSummary, formatSummary, formatSuiteDrillLine, formatSuiteSummary } from './summary.ts';
import { repeatVerdict, runRepeats } from '../repeat/run.ts';
import { loadSuite, listBuiltinSuites } from '../suite/loader.ts';
import { runSuite } from '../suite/run.ts';
import type { Verdict } from '../record/result.ts';
import { rerenderRun } from '../report/rerender.ts';
import { rerenderSuite, suiteFolderOf } from '../report/suiteOutputs.ts';
import { runPreflightOnly } from '../engine/preflightCommand.ts';
import { formatPreflightTable } from '../preflight/table.ts';
import { describeIdentity } from '../topology/profiles/identity.ts';
import { baselineFor, baselineFromOptions } from '../regression/baseline.ts';
import { compareResult, compareSummary, verdictForExit } from '../regression/compare.ts';
import { formatComparison } from '../regression/table.ts';
import { harnessVersion } from '../util/version.ts';
import { parseAttachTarget } from '../topology/provision/attach/target.ts';

/**
 * bin/ferrite-drill.mjs exits at once on a signal that comes while the program is still loading (nothing
 * started yet, nothing to clean); once a drill installs its own handlers, those early ones must go.
 */
function releaseEarlySignalHandlers(): void {
  const release = (globalThis as Record<symbol, unknown>)[Symbol.for('ferrite-drill.early-signals')];
  if (typeof release === 'function') release();
}

/**
 * Runs a drill or a suite with Ctrl-C / SIGTERM handling: the first signal stops the work (faults are
 * healed, everything is torn down, the report is written), a second one exits at once. Returns the exit code.
 */
async function withInterruptHandling(work: (signal: AbortSignal) => Promise<Verdict>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\nsecond ${sig}: exiting now; run "ferrite-drill clean" to remove what this run left\n`);
      process.exit(sig === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm);
    }
    process.stderr.write(`\n${sig}: stopping the drill, healing and tearing down (again to force)\n`);
    controller.abort(`interrupted by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  releaseEarlySignalHandlers();
  try {
    const verdict = await work(controller.signal);
    const reason = String(controller.signal.reason ?? '');
    // A signal that arrived after the drill had finished measuring does not change its verdict.
    const interrupted = controller.signal.aborted && verdict === 'error';
    return interrupted
      ? reason.includes('SIGTERM') ? ExitCode.sigterm : ExitCode.sigint
      : verdict === 'pass' ? ExitCode.pass
      : verdict === 'fail' ? ExitCode.expectationFailed
      : ExitCode.infrastructure;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `--repeat N`: a whole number of runs, 1 to 1000; anything else is bad input (exit 2, nothing started). */
function parseRepeat(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 1000) {
    throw new InvalidArgumentError(`--repeat takes a whole number of runs from 1 to 1000, not "${value}"`);
  }
  return n;
}

const BASELINE_FLAG = '--baseline <path>';
const BASELINE_HELP = 'compare with an earlier run, metric by metric with per-metric tolerances: its result.json, a suite.json, a --repeat summary.json, or a folder holding one (bad input, exit 2, when missing or unreadable)';
const FAIL_ON_REGRESSION_HELP = 'exit 1 when a metric regressed against --baseline (without it regressions are reported and the exit code follows the verdict)';

/** Warnings that must reach the user even with --quiet or --json (which keep stdout for the result). */
const warn = (message: string) => process.stderr.write(`ferrite-drill: ${message}\n`);

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv);
}

export async function runCli(argv: string[]): Promise<number> {
  let code: number = ExitCode.pass;
  const program = new Command()
    .name('ferrite-drill')
    .description('Failover drills for Redis-compatible HA deployments: bring up primary/replicas/sentinels in Docker, inject faults under write load, measure detection, failover, RTO and lost writes.')
    .version(harnessVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  program
    .command('run')
    .description('run a drill: a built-in scenario name (see `list`) or a path to a scenario YAML file')
    .argument('<scenario>', 'built-in scenario name or path to a .yaml file')
    .option('-o, --out <dir>', 'folder for result.json, report.html, journal and logs (default: reports/<scenario>-<timestamp>/)')
    .option('-q, --quiet', 'no progress lines, only the summary')
    .option('--json', 'print result.json to stdout instead of the summary')
    .option('--skip-preflight', 'experts: start the faults without the HA conformance preflight (which otherwise stops a drill whose server lacks what it relies on, exit 3)')
    .option('--attach <target>', 'drill a running Sentinel deployment instead of creating one: compose:<project> or label:<key>=<value>; its nodes are discovered, never removed, and left running (the scenario\'s topology section is ignored except masterName and auth)')
    .option('--restore-primary', 'with --attach: at the end, ask Sentinel to fail back (SENTINEL FAILOVER) so the deployment ends with the primary it started with')
    .option(BASELINE_FLAG, BASELINE_HELP)
    .option('--fail-on-regression', FAIL_ON_REGRESSION_HELP)
    .option('--repeat <n>', 'run the drill N times: run-01/ ... run-NN/ and summary.json / summary.html with min/p50/p95/max of every metric (nearest rank); the topology is reset and reused between runs where the fault allows', parseRepeat)
    .action(async (name: string, opts: { out?: string; quiet?: boolean; json?: boolean; skipPreflight?: boolean; attach?: string; restorePrimary?: boolean; baseline?: string; failOnRegression?: boolean; repeat?: number }) => {
      // Not wired together yet: a series on a user's deployment, and comparing a series while it runs.
      if (opts.repeat !== undefined && opts.attach) throw new InputError('--repeat does not work with --attach yet (repeats reset a topology the harness created)');
      const loaded = await loadScenario(name);
      if (opts.restorePrimary && !opts.attach) throw new InputError('--restore-primary only applies with --attach');
      const attach = opts.attach ? { target: parseAttachTarget(opts.attach), restorePrimary: Boolean(opts.restorePrimary) } : undefined;
      const baseline = await baselineFromOptions(opts, [loaded.scenario.name]);
      code = await withInterruptHandling(async (signal) => {
        const progress = createProgress({ quiet: Boolean(opts.quiet || opts.json) });
        const outDir = opts.out ?? defaultOutDir(loaded.scenario.name);
        if (opts.repeat !== undefined) {
          const summary = await runRepeats(loaded, {
            runs: opts.repeat,
            outDir,
            signal,
            progress,
            skipPreflight: Boolean(opts.skipPreflight),
            onRun: (run, of, r) => {
              if (!opts.json) process.stdout.write(formatRepeatRunLine(run, of, r));
            },
            compare: baseline ? (s) => compareSummary(s, baselineFor(baseline, s.scenario), loaded.scenario.regression, baseline.source) : undefined,
          });
          if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
          else process.stdout.write(formatRepeatSummary(summary) + (summary.comparison ? formatComparison(summary.comparison) + '\n' : ''));
          return verdictForExit(repeatVerdict(summary), summary.comparison?.regressions.length ?? 0, opts.failOnRegression);
        }
        const outcome = await runDrill(loaded, { signal, progress, skipPreflight: Boolean(opts.skipPreflight), attach });
        const result = outcome.result;
        if (baseline) result.comparison = compareResult(result, baselineFor(baseline, result.scenario), loaded.scenario.regression, baseline.source);
        await writeRunOutputs(outDir, outcome);
        progress.info(`output in ${result.outDir}`);
        if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else process.stdout.write(formatSummary(result));
        return verdictForExit(result.verdict, result.comparison?.regressions.length ?? 0, opts.failOnRegression);
      });
    });

  program
    .command('preflight')
    .description('bring a scenario\'s topology up, check on the real nodes the HA capabilities its drill relies on (replication, ROLE, WAIT, offsets, min-replicas, Sentinel, SHUTDOWN/SIGTERM, persistence), tear it down; exit 0 when every needed check passes, 3 when not')
    .argument('<scenario>', 'built-in scenario name or path to a .yaml file')
    .option('-q, --quiet', 'no progress lines, only the table')
    .option('--json', 'print the preflight as JSON instead of the table')
    .action(async (name: string, opts: { quiet?: boolean; json?: boolean }) => {
      const loaded = await loadScenario(name);
      code = await withInterruptHandling(async (signal) => {
        const out = await runPreflightOnly(loaded, { signal, progress: createProgress({ quiet: Boolean(opts.quiet || opts.json) }) });
        if (opts.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        else if (out.preflight) process.stdout.write(formatPreflightTable(out.preflight, describeIdentity(out.server)));
        if (out.error) process.stderr.write(`ferrite-drill: ${out.error}\n`);
        return out.preflight?.passed && !out.error ? 'pass' : 'error';
      });
    });

  program
    .command('suite')
    .description('run several drills in a row (a built-in suite, see `list`, or a suite YAML file): one folder, index.html, suite.json and junit.xml')
    .argument('<suite>', 'built-in suite name or path to a suite .yaml file')
    .option('-o, --out <dir>', 'folder for the suite (default: reports/suite-<name>-<timestamp>/), one numbered sub-folder per drill')
    .option('-q, --quiet', 'no progress lines, only one line per drill and the summary')
    .option('--json', 'print suite.json to stdout instead of the summary')
    .option('--check', 'validate the suite and every scenario it names, then exit without running anything')
    .option(BASELINE_FLAG, `${BASELINE_HELP}; each drill is compared with the baseline's run of the same scenario`)
    .option('--fail-on-regression', FAIL_ON_REGRESSION_HELP)
    .option('--no-pdf', 'do not print the sign-off report to report.pdf (headless Chromium) at the end')
    .option('--repeat <n>', 'run each drill N times: its folder holds run-01/ ... and summary.json / summary.html (min/p50/p95/max over the runs)', parseRepeat)
    .action(async (name: string, opts: { out?: string; quiet?: boolean; json?: boolean; check?: boolean; pdf: boolean; baseline?: string; failOnRegression?: boolean; repeat?: number }) => {
      const loaded = await loadSuite(name);
      const baseline = await baselineFromOptions(opts, loaded.drills.map((d) => d.scenario.name));
      if (opts.check) {
        process.stdout.write(`${loaded.file}: valid suite "${loaded.suite.name}": ${loaded.drills.map((d) => d.scenario.name).join(', ')}\n`);
        return;
      }
      code = await withInterruptHandling(async (signal) => {
        const result = await runSuite(loaded, {
          outDir: opts.out,
          repeat: opts.repeat,
          baseline,
          pdf: opts.pdf,
          warn,
          signal,
          progress: createProgress({ quiet: Boolean(opts.quiet || opts.json) }),
          onDrill: (d, r) => {
            if (!opts.json) process.stdout.write(formatSuiteDrillLine(d, r));
          },
        });
        if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else process.stdout.write(formatSuiteSummary(result));
        return verdictForExit(result.verdict, result.regressions?.length ?? 0, opts.failOnRegression);
      });
    });

  program
    .command('report')
    .description('re-render a saved run\'s report.html and junit.xml, or a suite folder\'s sign-off report (index.html, report.pdf) from its suite.json')
    .argument('<run>', 'run folder (reports/<scenario>-<time>/) or its result.json, or a suite folder (reports/suite-<name>-<time>/) or its suite.json')
    .option('--no-pdf', 'suite folders: do not print report.pdf')
    .action(async (target: string, opts: { pdf: boolean }) => {
      const suiteDir = suiteFolderOf(target);
      if (suiteDir) {
        const out = await rerenderSuite(suiteDir, { pdf: opts.pdf, warn });
        process.stdout.write(`wrote ${out.html}\n${out.pdf ? `wrote ${out.pdf}` : `no report.pdf: ${out.pdfReason}`}\n`);
        return;
      }
      const { html, junit } = await rerenderRun(target);
      process.stdout.write(`wrote ${html}\nwrote ${junit}\n`);
    });

  program
    .command('list')
    .description('list the built-in scenarios and suites')
    .action(async () => {
      process.stdout.write('scenarios (ferrite-drill run <name>):\n');
      for (const s of await listBuiltinScenarios()) process.stdout.write(`  ${s.name.padEnd(32)} ${s.description}\n`);
      process.stdout.write('\nsuites (ferrite-drill suite <name>):\n');
      for (const s of await listBuiltinSuites()) process.stdout.write(`  ${s.name.padEnd(32)} ${s.description} [${s.scenarios.join(', ')}]\n`);
    });

  program
    .command('validate')
    .description('check a scenario file without running it')
    .argument('<scenario>', 'built-in scenario name or path to a .yaml file')
    .action(async (name: string) => {
      const { file, scenario } = await loadScenario(name);
      process.stdout.write(`${file}: valid scenario "${scenario.name}"\n`);
    });

  program
    .command('schema')
    .description('print the scenario file JSON Schema (for editor autocompletion)')
    .action(() => {
      process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    });

  program
    .command('clean')
    .description('remove containers and networks left by killed runs (found by label; never anything else), sweep their iptables chains out of attached containers and start those a killed drill left down')
    .option('--all', 'also remove those of runs that still look alive')
    .action(async (opts: { all?: boolean }) => {
      await assertDockerAvailable();
      const r = await cleanLeftovers({ all: Boolean(opts.all) });
      process.stdout.write(`removed ${r.containers.length} containers, ${r.networks.length} networks${r.containers.length ? `: ${r.containers.join(', ')}` : ''}\n`);
      if (r.revived.length) process.stdout.write(`started, unpaused or continued again (a killed drill had attached to them): ${r.revived.join(', ')}\n`);
      if (r.skippedLiveRuns.length) process.stdout.write(`left alone (their process is alive): runs ${r.skippedLiveRuns.join(', ')}; use --all to remove them too\n`);
      for (const f of r.failures) process.stderr.write(`could not remove ${f}\n`);
      if (r.failures.length) code = ExitCode.infrastructure;
    });

  program
    .command('images')
    .description('get the images drills need (pull, or build from this host\'s binaries when no registry answers) and say which')
    .action(async () => {
      await assertDockerAvailable();
      const topology = scenarioSchema.parse({ name: 'images', duration: 1 }).topology;
      const server = await resolveServerImage(topology, (m) => process.stderr.write(m + '\n'));
      const helper = await ensureNettoolsImage((m) => process.stderr.write(m + '\n'));
      // Only drills with HAProxy in front need it: say when it cannot be had, without failing the rest.
      const haproxy = await resolveHaproxyImage((m) => process.stderr.write(m + '\n')).then((i) => i.how, (err: Error) => `not available: ${err.message}`);
      process.stdout.write(`server image: ${server.how}\nfault helper image: ${helper.how}\nHAProxy image: ${haproxy}\n`);
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.pass : ExitCode.badInput;
    }
    if (err instanceof InputError) {
      process.stderr.write(`ferrite-drill: ${err.message}\n`);
      return ExitCode.badInput;
    }
    const prefix = err instanceof InfrastructureError ? '' : 'unexpected error: ';
    process.stderr.write(`ferrite-drill: ${prefix}${(err as Error).message}\n`);
    return ExitCode.infrastructure;
  }
  return code;
}
