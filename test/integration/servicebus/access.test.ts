import { createHmac } from 'node:crypto';
import { isServiceBusError } from '@azure/service-bus';
import { start } from '../../../local/servicebus-emulator';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(configWith({ orders: {} }));
});
afterAll(() => h.close());

function sasToken(audience: string, keyName: string, key: string, expiresAtSeconds: number): string {
  const sr = encodeURIComponent(audience);
  const sig = encodeURIComponent(
    createHmac('sha256', key).update(`${sr}\n${expiresAtSeconds}`).digest('base64'),
  );
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${expiresAtSeconds}&skn=${keyName}`;
}

describe('start-up and health', () => {
  it('answers GET /health as the official emulator does', async () => {
    const response = await fetch(`http://127.0.0.1:${h.emulator.httpPort}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'healthy' });
  });

  it('gives a connection string the SDK connects with, port included', () => {
    expect(h.emulator.connectionString).toBe(
      `Endpoint=sb://localhost:${h.emulator.port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    );
  });

  it('refuses an invalid config naming the bad field', async () => {
    const config = configWith({ a: {}, b: {}, c: { LockDuration: 'one minute' } });
    await expect(start({ config, port: 0, httpPort: 0 })).rejects.toThrow(
      'UserConfig.Namespaces[0].Queues[2].Properties.LockDuration: expected ISO 8601 duration',
    );
    await expect(start({ config: '/nonexistent/Config.json', port: 0, httpPort: 0 })).rejects.toThrow(
      'cannot read config',
    );
  });

  it('uses the key name and key from the config', async () => {
    const config = {
      ...configWith({ q: {} }),
      Auth: { SharedAccessKeyName: 'app', SharedAccessKey: 'secret-123' },
    };
    const emulator = await start({ config, port: 0, httpPort: 0 });
    try {
      expect(emulator.connectionString).toContain('SharedAccessKeyName=app;SharedAccessKey=secret-123;');
      const client = h.newClient(emulator.connectionString);
      await client.createSender('q').sendMessages({ body: 'ok' });
      const [message] = await client
        .createReceiver('q', { receiveMode: 'receiveAndDelete' })
        .receiveMessages(1, { maxWaitTimeInMs: 2000 });
      expect(message!.body).toBe('ok');
      await client.close();
    } finally {
      await emulator.close();
    }
  });
});

describe('CBS authorisation', () => {
  it('refuses a wrong key with UnauthorizedAccess', async () => {
    const wrong = h.emulator.connectionString.replace('SAS_KEY_VALUE', 'not-the-key');
    const error = await h
      .newClient(wrong)
      .createSender('orders')
      .sendMessages({ body: 1 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('UnauthorizedAccess');
  });

  it('refuses a wrong key name with UnauthorizedAccess, also for receivers', async () => {
    const wrong = h.emulator.connectionString.replace('RootManageSharedAccessKey', 'Other');
    const error = await h
      .newClient(wrong)
      .createReceiver('orders')
      .receiveMessages(1, { maxWaitTimeInMs: 500 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('UnauthorizedAccess');
  });

  it('refuses an expired token and accepts a valid one', async () => {
    const audience = `sb://localhost:${h.emulator.port}/orders`;
    const withToken = (token: string): string =>
      `Endpoint=sb://localhost:${h.emulator.port};SharedAccessSignature=${token};UseDevelopmentEmulator=true;`;
    const expired = sasToken(
      audience,
      'RootManageSharedAccessKey',
      'SAS_KEY_VALUE',
      Math.floor(Date.now() / 1000) - 60,
    );
    const error = await h
      .newClient(withToken(expired))
      .createSender('orders')
      .sendMessages({ body: 1 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('UnauthorizedAccess');
    const valid = sasToken(
      audience,
      'RootManageSharedAccessKey',
      'SAS_KEY_VALUE',
      Math.floor(Date.now() / 1000) + 600,
    );
    await h.newClient(withToken(valid)).createSender('orders').sendMessages({ body: 'signed' });
    const peeked = await h.client.createReceiver('orders').peekMessages(10);
    expect(peeked.map((m) => m.body)).toContain('signed');
  });

  it('answers an unknown queue with MessagingEntityNotFound on send and receive', async () => {
    const sendError = await h.client
      .createSender('nope')
      .sendMessages({ body: 1 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(sendError) && sendError.code).toBe('MessagingEntityNotFound');
    const receiveError = await h.client
      .createReceiver('nope')
      .receiveMessages(1, { maxWaitTimeInMs: 500 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(receiveError) && receiveError.code).toBe('MessagingEntityNotFound');
  });
});
