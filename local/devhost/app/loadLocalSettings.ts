import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export interface AppliedSettings {
  /** Names taken from local.settings.json. */
  applied: string[];
  /** Names left alone because the environment already had them. */
  skipped: string[];
}

/**
 * Copies `Values` of <appRoot>/local.settings.json into `env`, as `func start` does. Precedence:
 * a variable already in the environment wins (func does the same and says so), which lets
 * tests and shells override a setting without editing the file. Returns names, never values.
 */
export function loadLocalSettings(appRoot: string, env: NodeJS.ProcessEnv = process.env): AppliedSettings {
  const path = join(appRoot, 'local.settings.json');
  const result: AppliedSettings = { applied: [], skipped: [] };
  if (!existsSync(path)) return result;
  const parsed = localSettingsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a valid local.settings.json: ${parsed.error.message}`);
  if (parsed.data.IsEncrypted) throw new Error(`${path} is encrypted; the dev host reads plain settings only.`);
  for (const [name, value] of Object.entries(parsed.data.Values ?? {})) {
    if (env[name] !== undefined) result.skipped.push(name);
    else {
      env[name] = String(value);
      result.applied.push(name);
    }
  }
  return result;
}
