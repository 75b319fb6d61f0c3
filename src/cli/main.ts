/** Commands only: parse the command line, call the engine, print, and exit with the right code. */
import { Command, CommanderError } from 'commander';
import { loadScenario, listBuiltinScenarios } from '../scenario/loader.ts';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { runDrill } from '../engine/run.ts';
import { createProgress } from '../engine/progress.ts';
import { cleanLeftovers } from '../topology/cleanup.ts';
import { assertDockerAvailable } from '../topology/docker.ts';
import { resolveServerImage, ensureNettoolsImage } from '../topology/images.ts';
import { scenarioSchema } from '../scenario/schema.ts';
import { ExitCode, InputError, InfrastructureError } from '../util/errors.ts';
import { formatSummary } from './summary.ts';
import { rerenderRun } from '../report/rerender.ts';

/**
 * bin/ferrite-drill.mjs exits at once on a signal that comes while the program is still loading (nothing
 * started yet, nothing to clean); once a drill installs its own handlers, those early ones must go.
 */
function releaseEarlySignalHandlers(): void {
  const release = (globalThis as Record<symbol, unknown>)[Symbol.for('ferrite-drill.early-signals')];
  if (typeof release === 'function') release();
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv);
}

export async function runCli(argv: string[]): Promise<number> {
  let code: number = ExitCode.pass;
  const program = new Command()
    .name('ferrite-drill')
    .description('Failover drills for Redis-compatible HA deployments: bring up primary/replicas/sentinels in Docker, inject faults under write load, measure detection, failover, RTO and lost writes.')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  program
    .command('run')
    .description('run a drill: a built-in scenario name (see `list`) or a path to a scenario YAML file')
    .argument('<scenario>', 'built-in scenario name or path to a .yaml file')
    .option('-o, --out <dir>', 'folder for result.json, report.html, journal and logs (default: reports/<scenario>-<timestamp>/)')
    .option('-q, --quiet', 'no progress lines, only the summary')
    .option('--json', 'print result.json to stdout instead of the summary')
    .action(async (name: string, opts: { out?: string; quiet?: boolean; json?: boolean }) => {
      const loaded = await loadScenario(name);
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
        const result = await runDrill(loaded, { outDir: opts.out, signal: controller.signal, progress: createProgress({ quiet: Boolean(opts.quiet || opts.json) }) });
        if (opts.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        else process.stdout.write(formatSummary(result));
        const reason = String(controller.signal.reason ?? '');
        // A signal that arrived after the drill had finished measuring does not change its verdict.
        const interrupted = controller.signal.aborted && result.verdict === 'error';
        code = interrupted
          ? reason.includes('SIGTERM') ? ExitCode.sigterm : ExitCode.sigint
          : result.verdict === 'pass' ? ExitCode.pass
          : result.verdict === 'fail' ? ExitCode.expectationFailed
          : ExitCode.infrastructure;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  program
    .command('report')
    .description('re-render report.html and junit.xml from a saved run folder or its result.json')
    .argument('<run>', 'run folder (reports/<scenario>-<time>/) or path to its result.json')
    .action(async (target: string) => {
      const { html, junit } = await rerenderRun(target);
      process.stdout.write(`wrote ${html}\nwrote ${junit}\n`);
    });

  program
    .command('list')
    .description('list the built-in scenarios')
    .action(async () => {
      for (const s of await listBuiltinScenarios()) process.stdout.write(`${s.name.padEnd(32)} ${s.description}\n`);
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
    .description('remove containers and networks left by killed runs (found by label; never anything else)')
    .option('--all', 'also remove those of runs that still look alive')
    .action(async (opts: { all?: boolean }) => {
      await assertDockerAvailable();
      const r = await cleanLeftovers({ all: Boolean(opts.all) });
      process.stdout.write(`removed ${r.containers.length} containers, ${r.networks.length} networks${r.containers.length ? `: ${r.containers.join(', ')}` : ''}\n`);
      if (r.skippedLiveRuns.length) process.stdout.write(`left alone (their process is alive): runs ${r.skippedLiveRuns.join(', ')}; use --all to remove them too\n`);
    });

  program
    .command('images')
    .description('get the images drills need (pull, or build from this host\'s binaries when no registry answers) and say which')
    .action(async () => {
      await assertDockerAvailable();
      const topology = scenarioSchema.parse({ name: 'images', duration: 1 }).topology;
      const server = await resolveServerImage(topology, (m) => process.stderr.write(m + '\n'));
      const helper = await ensureNettoolsImage((m) => process.stderr.write(m + '\n'));
      process.stdout.write(`server image: ${server.how}\nfault helper image: ${helper.how}\n`);
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
