import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  start as startServiceBusEmulator,
  type EmulatorHandle,
} from '../../../local/servicebus-emulator/index';
import { startStack } from '../../../local/stack/stack';
import { apiFetch } from '../../support/apiClient';
import { exampleSettings, freeStackPorts } from './stackSupport';

const CONFIG = join(__dirname, '../../../local/stack/servicebus-config.json');

describe('npm start: a part provided from outside', () => {
  let emulator: EmulatorHandle;

  beforeAll(async () => {
    emulator = await startServiceBusEmulator({ config: CONFIG, port: 0, httpPort: 0 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it('uses the Service Bus of the settings as it is, without checking or starting its ports', async () => {
    // The stack's Service Bus ports are the ones the outside emulator holds: not checked, not used.
    const ports = {
      ...(await freeStackPorts()),
      serviceBus: emulator.port,
      serviceBusHttp: emulator.httpPort,
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-stack-'));
    const lines: string[] = [];
    const stack = await startStack({
      ports,
      settings: { ...exampleSettings(), ServiceBusConnection: emulator.connectionString },
      dataDir,
      external: ['servicebus'],
      log: (line) => lines.push(line),
    });
    try {
      expect((await apiFetch(stack.healthUrl)).status).toBe(200);
      expect(lines.some((line) => line.includes('Service Bus emulator'))).toBe(false);
      expect(stack.serviceBusConnectionString).toBe(emulator.connectionString);
      // The key of an outside namespace is not printed.
      expect(stack.summary).toContain(`Service Bus              Endpoint=sb://localhost:${emulator.port}\n`);
      expect(stack.summary).not.toContain('SharedAccessKey=');
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Stopping the stack leaves what it did not start alone.
    expect((await fetch(`http://127.0.0.1:${emulator.httpPort}/health`)).status).toBe(200);
  });
});
