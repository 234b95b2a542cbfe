import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  Host: z
    .object({
      LocalHttpPort: z.number().int().min(0).max(65_535).optional(),
      CORS: z.string().optional(),
      CORSCredentials: z.boolean().optional(),
    })
    .optional(),
});

/** The `Host` section of local.settings.json, which `func start` reads for its web server. */
export interface LocalHostSettings {
  localHttpPort?: number | undefined;
  /** Allowed origins ("*" for any); empty = no CORS headers. */
  corsOrigins: string[];
  corsCredentials: boolean;
}

export interface AppliedSettings {
  /** Names taken from local.settings.json. */
  applied: string[];
  /** Names left alone because the environment already had them. */
  skipped: string[];
  host: LocalHostSettings;
}

/**
 * Copies `Values` of <appRoot>/local.settings.json into `env`, as `func start` does. Precedence:
 * a variable already in the environment wins (func does the same and says so), which lets
 * tests and shells override a setting without editing the file. Returns names, never values.
 */
export function loadLocalSettings(appRoot: string, env: NodeJS.ProcessEnv = process.env): AppliedSettings {
  const path = join(appRoot, 'local.settings.json');
  const result: AppliedSettings = {
    applied: [],
    skipped: [],
    host: { corsOrigins: [], corsCredentials: false },
  };
  if (!existsSync(path)) return result;
  const parsed = localSettingsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a valid local.settings.json: ${parsed.error.message}`);
  if (parsed.data.IsEncrypted) {
    throw new Error(`${path} is encrypted; the dev host reads plain settings only.`);
  }
  const host = parsed.data.Host ?? {};
  result.host = {
    localHttpPort: host.LocalHttpPort,
    corsOrigins: (host.CORS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    corsCredentials: host.CORSCredentials ?? false,
  };
  for (const [name, value] of Object.entries(parsed.data.Values ?? {})) {
    if (env[name] !== undefined) result.skipped.push(name);
    else {
      env[name] = String(value);
      result.applied.push(name);
    }
  }
  return result;
}
