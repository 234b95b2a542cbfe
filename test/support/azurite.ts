import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../local/stack/azurite';
import { getFreePort } from './wait';

/** Azurite on free ports with a throw-away data folder, removed on close(). */
export async function startTestAzurite(): Promise<RunningAzurite> {
  const location = mkdtempSync(join(tmpdir(), 'switchyard-azurite-'));
  const blobPort = await getFreePort();
  const queuePort = await distinctFreePort([blobPort]);
  const tablePort = await distinctFreePort([blobPort, queuePort]);
  const azurite = await startAzurite({ blobPort, queuePort, tablePort, location, silent: true });
  return {
    ...azurite,
    close: async () => {
      await azurite.close();
      rmSync(location, { recursive: true, force: true });
    },
  };
}

/** The OS may hand a just-released port out again; Azurite needs three different ones. */
async function distinctFreePort(taken: number[]): Promise<number> {
  for (;;) {
    const port = await getFreePort();
    if (!taken.includes(port)) return port;
  }
}
