import { SETTINGS } from '../../shared/config/names';

const DEFAULT_ADMIN_KEY = 'local-dev-key';
/** What SWITCHYARD_ADMIN_KEY was called before it replaced the function key; still honoured here. */
export const LEGACY_FUNCTION_KEY_SETTING = 'SWITCHYARD_FUNCTION_KEY';

/** The bootstrap admin key the local stack gives the app: its setting, the legacy one, or the default. Pure. */
export function localAdminKey(settings: Record<string, string | undefined>): string {
  return settings[SETTINGS.adminKey] || settings[LEGACY_FUNCTION_KEY_SETTING] || DEFAULT_ADMIN_KEY;
}
