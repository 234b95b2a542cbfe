import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { PAYLOAD_BLOB_CONTAINER } from '../config/names';
import { credentialFor, type ConnectionSetting } from '../config/settings';
import { type ClaimCheckOwner, payloadBlobName, type StoredPayload } from './claimCheck';

const BLOB_NAME = /^[0-9a-f]{64}\.json$/;

/**
 * Blob metadata naming the topic and event a payload was stored for, checked before it is
 * followed (claimCheck.ts). Lower-case names: Azure keeps metadata names case-insensitively.
 * Both values are ASCII by construction (topic names and event keys), as headers need.
 */
const OWNER_METADATA = { topic: 'topic', eventKey: 'eventkey' } as const;

/** Blob client from a connection string (incl. `UseDevelopmentStorage=true`) or managed identity. */
export function createBlobServiceClient(connection: ConnectionSetting): BlobServiceClient {
  return connection.kind === 'connectionString'
    ? BlobServiceClient.fromConnectionString(connection.connectionString)
    : new BlobServiceClient(connection.endpoint, credentialFor(connection));
}

/**
 * Claim-check payloads: events too large for a Service Bus message, in the blob container
 * `event-payloads`. A reference is the blob name; it lives as long as the event record.
 */
export class PayloadStore {
  private readonly container: ContainerClient;
  private containerReady: Promise<unknown> | undefined;

  constructor(service: BlobServiceClient, containerName: string = PAYLOAD_BLOB_CONTAINER) {
    this.container = service.getContainerClient(containerName);
  }

  static fromConnection(connection: ConnectionSetting): PayloadStore {
    return new PayloadStore(createBlobServiceClient(connection));
  }

  /**
   * Stores an event's JSON with the topic and event key it belongs to (metadata), and returns
   * the reference to put in the message and the record. The first payload stored for an event
   * stays: a republish of the same source+id (or a retry after a failed send) never replaces
   * what deliveries of the first one read, just as the event record keeps the first version.
   */
  async putPayload(owner: ClaimCheckOwner, json: string): Promise<string> {
    await this.ensureContainer();
    const ref = payloadBlobName(owner.eventKey);
    const body = Buffer.from(json, 'utf8');
    try {
      await this.container.getBlockBlobClient(ref).uploadData(body, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
        metadata: { [OWNER_METADATA.topic]: owner.topic, [OWNER_METADATA.eventKey]: owner.eventKey },
        conditions: { ifNoneMatch: '*' },
      });
    } catch (error) {
      if (!hasStatus(error, 409)) throw error;
    }
    return ref;
  }

  /**
   * The JSON stored under a reference and the owner its metadata names; undefined if there is
   * no such blob. One request: the download answers with the metadata.
   */
  async getPayload(ref: string): Promise<StoredPayload | undefined> {
    try {
      const response = await this.container.getBlockBlobClient(checkedRef(ref)).download();
      const json = (await streamToBuffer(response.readableStreamBody)).toString('utf8');
      const metadata = lowerCaseKeys(response.metadata ?? {});
      return {
        json,
        owner: { topic: metadata[OWNER_METADATA.topic], eventKey: metadata[OWNER_METADATA.eventKey] },
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Removes a payload together with its event record. False if it was already gone. */
  async deletePayload(ref: string): Promise<boolean> {
    const { succeeded } = await this.container.getBlockBlobClient(checkedRef(ref)).deleteIfExists();
    return succeeded;
  }

  private ensureContainer(): Promise<unknown> {
    // Once per process; in Azure Bicep creates it and this is a cheap 409.
    this.containerReady ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.containerReady = undefined;
      throw error;
    });
    return this.containerReady;
  }
}

/** References come from messages, which anyone with send rights can write: accept only ours. */
function checkedRef(ref: string): string {
  if (!BLOB_NAME.test(ref)) throw new Error('not a payload reference');
  return ref;
}

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name.toLowerCase(), value]));
}

function isNotFound(error: unknown): boolean {
  return hasStatus(error, 404);
}

function hasStatus(error: unknown, status: number): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { statusCode?: unknown }).statusCode === status
  );
}
