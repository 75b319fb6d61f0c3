/**
 * Integration tests need a Docker engine. Where there is none they are skipped with the reason printed;
 * in CI (FERRITE_DRILL_REQUIRE_DOCKER=1) a missing engine is a failure, never a silent skip.
 */
import { execFileSync } from 'node:child_process';

function probe(): string | null {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 10_000 });
    return null;
  } catch (err) {
    return `no Docker engine answers (${(err as Error).message.split('\n')[0]})`;
  }
}

export const dockerMissingReason = probe();

if (dockerMissingReason) {
  if (process.env.FERRITE_DRILL_REQUIRE_DOCKER === '1') {
    throw new Error(`FERRITE_DRILL_REQUIRE_DOCKER=1 but ${dockerMissingReason}`);
  }
  console.warn(`SKIPPING integration tests: ${dockerMissingReason}. Run \`npm run setup\` (root, Debian) to get one.`);
}

/**
 * Containers and networks carrying the harness's label, for leak checks: those of this test session
 * (FERRITE_DRILL_SESSION, set by vitest.config.ts) when there is one, so that drills another session runs
 * on the same machine at the same time do not count.
 */
export function harnessLeftovers(): { containers: string[]; networks: string[] } {
  const session = process.env.FERRITE_DRILL_SESSION;
  const label = session ? `label=dev.ferrite-drill.session=${session}` : 'label=dev.ferrite-drill';
  const list = (args: string[]) =>
    execFileSync('docker', args, { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '');
  return {
    containers: list(['ps', '-a', '--filter', label, '--format', '{{.Names}}']),
    networks: list(['network', 'ls', '--filter', label, '--format', '{{.Name}}']),
  };
}
