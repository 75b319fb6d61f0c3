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

/** Containers and networks carrying the harness's label, for leak checks. */
export function harnessLeftovers(): { containers: string[]; networks: string[] } {
  const list = (args: string[]) =>
    execFileSync('docker', args, { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.trim() !== '');
  return {
    containers: list(['ps', '-a', '--filter', 'label=dev.ferrite-drill', '--format', '{{.Names}}']),
    networks: list(['network', 'ls', '--filter', 'label=dev.ferrite-drill', '--format', '{{.Name}}']),
  };
}
