/**
 * The Service Bus emulator in a process of its own for bench/emulatorMemory.ts: started with the
 * stack's configuration, it prints `READY {"connectionString": ...}` and answers IPC requests for
 * its memory (after a full garbage collection, so growth means retained objects, not garbage)
 * and for heap snapshots. EMULATOR_DIR points at another copy of the emulator (e.g. an older
 * commit's, to measure before a change); by default it is this repository's.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import type * as Emulator from '../../local/servicebus-emulator';
import { exitAfterClose } from '../../local/exitAfterClose';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const REPO_ROOT = join(__dirname, '..', '..');

const requestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('memory') }),
  z.object({ type: z.literal('heap-snapshot'), path: z.string() }),
]);

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

async function main(): Promise<void> {
  const dir = resolve(process.env.EMULATOR_DIR ?? join(REPO_ROOT, 'local', 'servicebus-emulator'));
  const emulator = (await import(join(dir, 'index.ts'))) as typeof Emulator;
  const config = JSON.parse(
    readFileSync(join(REPO_ROOT, 'local', 'stack', 'servicebus-config.json'), 'utf8'),
  ) as Emulator.EmulatorConfig;
  const handle = await emulator.start({ config, port: 0, httpPort: 0, logLevel: 'quiet' });
  process.on('message', (raw: unknown) => {
    const request = requestSchema.safeParse(raw);
    if (!request.success) return;
    if (request.data.type === 'memory') {
      collectGarbage();
      const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      const sample: MemorySample = { rss, heapUsed, heapTotal, external, arrayBuffers };
      process.send?.({ type: 'memory', sample });
    } else {
      process.send?.({ type: 'heap-snapshot', path: writeHeapSnapshot(request.data.path) });
    }
  });
  const stop = (): void => {
    exitAfterClose(() => handle.close());
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  console.log(`READY ${JSON.stringify({ connectionString: handle.connectionString, emulatorDir: dir })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
