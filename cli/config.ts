/**
 * Where the CLI sends its calls and with which credential. One order, first match wins:
 *   1. a profile named by `--profile` or SWITCHYARD_PROFILE (from the config file);
 *   2. SWITCHYARD_URL, with SWITCHYARD_API_KEY or SWITCHYARD_TOKEN;
 *   3. the config file's `defaultProfile`;
 *   4. the local stack of `npm start` (its dev host port and bootstrap admin key).
 * A profile without a credential takes it from SWITCHYARD_API_KEY / SWITCHYARD_TOKEN, so secrets
 * can stay out of the file. resolveTarget is pure; readConfigFile reads the file, and
 * local/stack/localTarget.ts what npm start uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { errorMessage } from '../shared/errors/errorMessage';
import { UsageError } from './exitCodes';

/** How the CLI authenticates: every credential travels as `Authorization: Bearer`. */
export type Credential =
  | { kind: 'apiKey'; value: string }
  | { kind: 'token'; value: string }
  /** A command that prints an access token (e.g. `az account get-access-token ... -o tsv`). */
  | { kind: 'tokenCommand'; command: string };

export interface Target {
  /** The app's URL without `/api`, e.g. `https://switchyard.azurewebsites.net`. */
  url: string;
  credential?: Credential;
  /** Where the target came from, for error messages: `profile prod`, `SWITCHYARD_URL`, `local stack`. */
  from: string;
}

const profileSchema = z
  .object({
    url: z.string(),
    apiKey: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    tokenCommand: z.string().min(1).optional(),
  })
  .strict()
  .refine(
    (profile) => [profile.apiKey, profile.token, profile.tokenCommand].filter(Boolean).length <= 1,
    'give at most one of apiKey, token, tokenCommand',
  );

const configFileSchema = z
  .object({
    defaultProfile: z.string().optional(),
    profiles: z.record(z.string(), profileSchema),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

/** The environment variables the CLI reads. */
export interface CliEnvironment {
  SWITCHYARD_URL?: string | undefined;
  SWITCHYARD_API_KEY?: string | undefined;
  SWITCHYARD_TOKEN?: string | undefined;
  SWITCHYARD_PROFILE?: string | undefined;
  SWITCHYARD_CONFIG?: string | undefined;
  XDG_CONFIG_HOME?: string | undefined;
}

export interface TargetInputs {
  /** `--profile`, when given. */
  profile?: string | undefined;
  env: CliEnvironment;
  config?: { path: string; file: ConfigFile } | undefined;
  local: { url: string; adminKey: string };
}

/** The app URL as the CLI keeps it: http(s), no trailing slash, no `/api` (the client adds it). Pure. */
export function normalizeUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${where}: "${value}" is not a URL (e.g. https://switchyard.azurewebsites.net)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${where}: "${value}" must be an http or https URL`);
  }
  if (url.search || url.hash) throw new UsageError(`${where}: "${value}" must not carry a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api$/, '')}`;
}

function environmentCredential(env: CliEnvironment): Credential | undefined {
  const apiKey = env.SWITCHYARD_API_KEY?.trim();
  const token = env.SWITCHYARD_TOKEN?.trim();
  if (apiKey && token) throw new UsageError('set SWITCHYARD_API_KEY or SWITCHYARD_TOKEN, not both');
  if (apiKey) return { kind: 'apiKey', value: apiKey };
  if (token) return { kind: 'token', value: token };
  return undefined;
}

function profileTarget(inputs: TargetInputs, name: string): Target {
  if (!inputs.config) {
    throw new UsageError(`no profile ${name}: no config file (see switchyard --help for where it is read)`);
  }
  const profile = inputs.config.file.profiles[name];
  if (!profile) {
    const known = Object.keys(inputs.config.file.profiles).join(', ') || 'none';
    throw new UsageError(`no profile ${name} in ${inputs.config.path} (profiles: ${known})`);
  }
  const where = `profile ${name} in ${inputs.config.path}`;
  const credential: Credential | undefined = profile.apiKey
    ? { kind: 'apiKey', value: profile.apiKey }
    : profile.token
      ? { kind: 'token', value: profile.token }
      : profile.tokenCommand
        ? { kind: 'tokenCommand', command: profile.tokenCommand }
        : environmentCredential(inputs.env);
  return {
    url: normalizeUrl(profile.url, where),
    ...(credential ? { credential } : {}),
    from: `profile ${name}`,
  };
}

/** The target of this run (see the file comment for the order). Pure. */
export function resolveTarget(inputs: TargetInputs): Target {
  const named = inputs.profile ?? inputs.env.SWITCHYARD_PROFILE?.trim();
  if (named) return profileTarget(inputs, named);
  const url = inputs.env.SWITCHYARD_URL?.trim();
  if (url) {
    const credential = environmentCredential(inputs.env);
    return {
      url: normalizeUrl(url, 'SWITCHYARD_URL'),
      ...(credential ? { credential } : {}),
      from: 'SWITCHYARD_URL',
    };
  }
  const fallback = inputs.config?.file.defaultProfile;
  if (fallback) return profileTarget(inputs, fallback);
  return {
    url: inputs.local.url,
    credential: environmentCredential(inputs.env) ?? { kind: 'apiKey', value: inputs.local.adminKey },
    from: 'the local stack (npm start)',
  };
}

/** Where the config file is looked for, in order. Pure. */
export function configFileCandidates(env: CliEnvironment, home: string): string[] {
  if (env.SWITCHYARD_CONFIG?.trim()) return [resolve(env.SWITCHYARD_CONFIG.trim())];
  const base = env.XDG_CONFIG_HOME?.trim() || join(home, '.config');
  return ['config.json', 'config.yaml', 'config.yml'].map((name) => join(base, 'switchyard', name));
}

/** Parses a config file's text (JSON or YAML: YAML 1.2 reads JSON as well). Pure. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new UsageError(`${path} is neither JSON nor YAML: ${errorMessage(error)}`);
  }
  const parsed = configFileSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new UsageError(`${path} is not a valid switchyard config: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** The first config file that exists, parsed; SWITCHYARD_CONFIG naming a missing file is an error. */
export function readConfigFile(env: CliEnvironment): { path: string; file: ConfigFile } | undefined {
  const candidates = configFileCandidates(env, homedir());
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) {
    if (env.SWITCHYARD_CONFIG?.trim()) throw new UsageError(`SWITCHYARD_CONFIG: no file ${candidates[0]}`);
    return undefined;
  }
  return { path, file: parseConfigFile(readFileSync(path, 'utf8'), path) };
}
