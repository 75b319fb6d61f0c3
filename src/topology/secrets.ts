/**
 * Secrets for secured topologies: resolved once at run start from environment variables or files (or
 * generated), held in memory only, passed to servers through config files (never on a command line,
 * which `docker inspect` shows), and scrubbed from every file a run writes.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Scenario } from '../scenario/schema.ts';
import { InputError } from '../util/errors.ts';

export interface Credentials {
  /** ACL user for data nodes; undefined: the default user with requirepass. */
  user?: string;
  password: string;
  /** The sentinels' own password (requirepass on sentinels), when set. */
  sentinelPassword?: string;
  /** What to say about where the secrets came from (never the values). */
  origin: string[];
}

type SecretRef = NonNullable<NonNullable<Scenario['topology']['auth']>['password']>;

function resolveSecret(ref: SecretRef, field: string, file: string, origin: string[]): string {
  if ('generate' in ref) {
    origin.push(`${field}: a throwaway secret generated for this run`);
    return randomBytes(18).toString('base64url');
  }
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value) {
      origin.push(`${field}: from the environment variable ${ref.env}`);
      return value;
    }
    if (ref.orGenerate) {
      origin.push(`${field}: ${ref.env} is not set, so a throwaway secret was generated`);
      return randomBytes(18).toString('base64url');
    }
    throw new InputError(`${file}: topology.auth.${field}: the environment variable ${ref.env} is not set`);
  }
  let value: string;
  try {
    value = readFileSync(ref.file, 'utf8').trim();
  } catch (err) {
    throw new InputError(`${file}: topology.auth.${field}: cannot read ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!value) throw new InputError(`${file}: topology.auth.${field}: ${ref.file} is empty`);
  origin.push(`${field}: from the file ${ref.file}`);
  return value;
}

/** Resolves the scenario's auth section; undefined when the topology is not secured. */
export function resolveCredentials(scenario: Scenario, file: string): Credentials | undefined {
  const auth = scenario.topology.auth;
  if (!auth) return undefined;
  const origin: string[] = [];
  const password = resolveSecret(auth.password, 'password', file, origin);
  const sentinelPassword = auth.sentinelPassword ? resolveSecret(auth.sentinelPassword, 'sentinelPassword', file, origin) : undefined;
  for (const [name, value] of [['password', password], ['sentinelPassword', sentinelPassword]] as const) {
    if (value !== undefined && /\s/.test(value)) throw new InputError(`${file}: topology.auth.${name}: a password cannot contain white space`);
  }
  return { user: auth.user, password, sentinelPassword, origin };
}

/** Replaces every secret in a text with "***" (the last line of defence before anything is written). */
export function redact(text: string, credentials: Credentials | undefined): string {
  if (!credentials) return text;
  let out = text;
  for (const secret of [credentials.password, credentials.sentinelPassword]) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}
