/**
 * Replaces `%SettingName%` in a binding option with the app setting's value, as the host does
 * for queue names, schedules and the like. A missing setting is an error naming it.
 */
export function resolveSettingReferences(text: string, settings: NodeJS.ProcessEnv): string {
  return text.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const value = settings[name];
    if (value === undefined) {
      throw new Error(`the app setting "${name}" (referenced as %${name}%) is not set`);
    }
    return value;
  });
}
