import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SETTINGS } from '../../shared/config/names';
import { readSettingValues, withEnvironment } from './localSettings';
import { PORT_SPECS } from './ports';

const DEFAULT_ADMIN_KEY = 'local-dev-key';
/** What SWITCHYARD_ADMIN_KEY was called before it replaced the function key; still honoured here. */
export const LEGACY_FUNCTION_KEY_SETTING = 'SWITCHYARD_FUNCTION_KEY';

/** The bootstrap admin key the local stack gives the app: its setting, the legacy one, or the default. Pure. */
export function localAdminKey(settings: Record<string, string | undefined>): string {
  return settings[SETTINGS.adminKey] || settings[LEGACY_FUNCTION_KEY_SETTING] || DEFAULT_ADMIN_KEY;
}

/**
 * What `npm start` in this clone listens on and accepts by default: its dev host URL and the
 * bootstrap admin key, from local.settings.json and the environment as npm start reads them.
 * The switchyard CLI targets this when nothing else is configured.
 */
export function localStackTarget(env: Record<string, string | undefined>): { url: string; adminKey: string } {
  let settings: Record<string, string | undefined> = env;
  const file = join(resolve(__dirname, '../..'), 'local.settings.json');
  if (existsSync(file)) settings = { ...withEnvironment(readSettingValues(file), env), ...env };
  const port = settings[PORT_SPECS.devHost.setting]?.trim() || String(PORT_SPECS.devHost.defaultPort);
  return { url: `http://127.0.0.1:${port}`, adminKey: localAdminKey(settings) };
}
