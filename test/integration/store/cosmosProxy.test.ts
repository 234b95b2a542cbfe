import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Container, CosmosClient } from '@azure/cosmos';
import { SETTINGS } from '../../../shared/config/names';
import { createCosmosClient, ensureCosmosResources } from '../../../shared/store/cosmosClient';
import { getFreePort } from '../../../local/stack/checkPorts';
import type { CosmosPartReady } from '../../../local/stack/partProcess';
import { startReadyChild, type ReadyChild } from '../../../local/stack/readyChild';
import { startCosmosProxy, type CosmosProxy } from '../../chaos/cosmosProxy';

/**
 * The chaos gate's Cosmos DB outage is only real if the SDK cannot route around the proxy: it
 * reads the endpoint to use from the account document, so the server must name the proxy there.
 */
describe('the Cosmos DB proxy of the chaos gate', () => {
  let dataDir: string;
  let proxy: CosmosProxy;
  let server: ReadyChild<CosmosPartReady>;
  let client: CosmosClient;
  let container: Container;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchyard-proxy-'));
    const socketPath = join(dataDir, 'cosmos.sock');
    proxy = await startCosmosProxy(await getFreePort(), socketPath);
    server = await startReadyChild<CosmosPartReady>(
      resolve(__dirname, '../../../local/stack/partProcess.ts'),
      ['cosmos', JSON.stringify({ socketPath, advertisePort: proxy.port })],
      { label: 'Cosmos DB server' },
    );
    client = createCosmosClient({
      kind: 'connectionString',
      setting: SETTINGS.cosmosConnection,
      connectionString: server.ready.connectionString,
    });
    const database = await ensureCosmosResources(client, 'proxy-test');
    container = database.container('events');
  }, 60_000);

  afterAll(async () => {
    client?.dispose();
    await server?.stop();
    await proxy?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the account document names the proxy, and requests flow through it', async () => {
    const { resource: account } = await client.getDatabaseAccount();
    const endpoints = [...(account?.writableLocations ?? []), ...(account?.readableLocations ?? [])].map(
      (location) => location.databaseAccountEndpoint,
    );
    expect(endpoints.length).toBeGreaterThan(0);
    expect(new Set(endpoints)).toEqual(new Set([`https://127.0.0.1:${proxy.port}/`]));

    const before = proxy.counters();
    await container.items.upsert({ id: 'e1', eventKey: 'e1' });
    const { resource } = await container.item('e1', 'e1').read<{ id: string }>();
    expect(resource?.id).toBe('e1');
    const after = proxy.counters();
    expect(after.bytesUp).toBeGreaterThan(before.bytesUp);
    expect(after.bytesDown).toBeGreaterThan(before.bytesDown);
  });

  it('while the proxy refuses, requests fail; once it listens again, they succeed', async () => {
    await proxy.refuse();
    try {
      await expect(container.item('e1', 'e1').read()).rejects.toThrow();
    } finally {
      await proxy.resume();
    }
    const { resource } = await container.item('e1', 'e1').read<{ id: string }>();
    expect(resource?.id).toBe('e1');
  });
});
