import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export type SettingValues = Record<string, string>;

/**
 * Creates the settings file from local.settings.example.json when it is missing
 * (local.settings.json is git-ignored: each developer owns theirs). `created` says it was made.
 */
export function ensureLocalSettingsFile(
  path: string,
  examplePath: string,
): { path: string; created: boolean } {
  if (existsSync(path)) return { path, created: false };
  copyFileSync(examplePath, path);
  return { path, created: true };
}

/** The Values of a local.settings.json, as strings (the Functions host stringifies them too). */
export function readSettingValues(path: string): SettingValues {
  const parsed = localSettingsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a valid local.settings.json: ${parsed.error.message}`);
  if (parsed.data.IsEncrypted) throw new Error(`${path} is encrypted; npm start reads plain settings only`);
  return Object.fromEntries(
    Object.entries(parsed.data.Values ?? {}).map(([name, value]) => [name, String(value)]),
  );
}

/** Values with the environment winning over the file, as `func start` does. Pure. */
export function withEnvironment(
  values: SettingValues,
  env: Record<string, string | undefined>,
): SettingValues {
  const merged: SettingValues = { ...values };
  for (const name of Object.keys(values)) {
    const fromEnv = env[name];
    if (fromEnv !== undefined) merged[name] = fromEnv;
  }
  return merged;
}
