import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { PAYLOAD_BLOB_CONTAINER } from '../../../shared/config/names';
import { readConnection } from '../../../shared/config/settings';
import { eventKey } from '../../../shared/events/eventKey';
import { needsClaimCheck, payloadBlobName } from '../../../shared/payloads/claimCheck';
import { PayloadStore } from '../../../shared/payloads/PayloadStore';
import type { RunningAzurite } from '../../../local/stack/azurite';
import { startTestAzurite } from '../../support/azurite';

let azurite: RunningAzurite;
let store: PayloadStore;

beforeAll(async () => {
  azurite = await startTestAzurite();
  const connection = readConnection(
    { PayloadStorageConnection: azurite.connectionString },
    'PayloadStorageConnection',
    'blobServiceUri',
  );
  store = PayloadStore.fromConnection(connection);
});

afterAll(async () => {
  await azurite?.close();
});

function largeEvent(id: string, bytes: number): string {
  const event = { specversion: '1.0', id, source: '/shop', type: 'order.created', data: { blob: '' } };
  event.data.blob = randomBytes(Math.ceil(bytes * 0.75))
    .toString('base64')
    .slice(0, bytes);
  return JSON.stringify(event);
}

describe('claim-check payloads in Azurite', () => {
  it('round-trips a 1 MB event through a blob, creating the container on first use', async () => {
    const json = largeEvent('big-1', 1024 * 1024);
    expect(needsClaimCheck(Buffer.byteLength(json, 'utf8'))).toBe(true);

    const owner = { topic: 'orders', eventKey: eventKey('orders', '/shop', 'big-1') };
    const ref = await store.putPayload(owner, json);
    // The payload comes back with the topic and event it was stored for (its metadata).
    expect(await store.getPayload(ref)).toEqual({ json, owner });

    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const properties = await service
      .getContainerClient(PAYLOAD_BLOB_CONTAINER)
      .getBlobClient(ref)
      .getProperties();
    expect(properties.contentType).toBe('application/json');
    expect(properties.contentLength).toBe(Buffer.byteLength(json));
  });

  it('stores the same event under the same reference, and the first payload stays', async () => {
    const original = largeEvent('again', 300_000);
    const again = { topic: 'orders', eventKey: eventKey('orders', '/shop', 'again') };
    const first = await store.putPayload(again, original);
    // A republish of the same source+id with other data must not change what deliveries read.
    const second = await store.putPayload(again, largeEvent('again', 300_000));
    const other = await store.putPayload(
      { topic: 'orders', eventKey: eventKey('orders', '/shop', 'other') },
      largeEvent('other', 300_000),
    );
    expect(second).toBe(first);
    expect((await store.getPayload(first))?.json).toBe(original);
    expect(other).not.toBe(first);
  });

  it('answers undefined for a deleted payload and refuses references it did not make', async () => {
    const ref = await store.putPayload(
      { topic: 'orders', eventKey: eventKey('orders', '/shop', 'gone') },
      largeEvent('gone', 1000),
    );
    expect(await store.deletePayload(ref)).toBe(true);
    expect(await store.getPayload(ref)).toBeUndefined();
    expect(await store.deletePayload(ref)).toBe(false);
    await expect(store.getPayload('../secrets.json')).rejects.toThrow('not a payload reference');
  });

  it('reads a blob without owner metadata (not written by putPayload) as having no owner', async () => {
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const name = payloadBlobName(eventKey('orders', '/shop', 'planted'));
    await service.getContainerClient(PAYLOAD_BLOB_CONTAINER).getBlockBlobClient(name).upload('{}', 2);
    expect(await store.getPayload(name)).toEqual({
      json: '{}',
      owner: { topic: undefined, eventKey: undefined },
    });
  });

  it('leaves small events in the message', () => {
    expect(needsClaimCheck(Buffer.byteLength(largeEvent('small', 10_000), 'utf8'))).toBe(false);
  });
});
