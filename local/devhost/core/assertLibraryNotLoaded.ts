import { sep } from 'node:path';

/**
 * The library decides once whether the core module exists. If it was loaded before the dev
 * host installed the module, it is stuck in "test mode" and registrations would go nowhere.
 */
export function assertLibraryNotLoaded(): void {
  const marker = `${sep}@azure${sep}functions${sep}dist${sep}`;
  const loaded = Object.keys(require.cache).find((path) => path.includes(marker));
  if (loaded) {
    throw new Error(
      `@azure/functions was loaded before the dev host started (${loaded}); start the dev host before importing the app.`,
    );
  }
}
