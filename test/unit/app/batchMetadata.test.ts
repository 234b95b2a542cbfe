import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import Long from 'long';
import { toServiceBusBatchInvocationData } from '../../../local/devhost/servicebus/toServiceBusInvocation';
import { applicationPropertiesOf, messageMetadataOfBatch } from '../../../shared/app/triggerMetadata';
import { processingFailuresOf } from '../../../shared/pipeline/batch';

/** What @azure/functions makes of typed data (its fromRpcTypedData), for the shapes the dev host sends. */
function asLibrary(data: { json?: string | null; collectionString?: { string: string[] } | null }): unknown {
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  if (data.json) return JSON.parse(data.json) as unknown;
  if (data.collectionString) return data.collectionString.string.map(parse);
  return undefined;
}

const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);

describe('batch trigger metadata: the dev host sends arrays, the handlers read one message', () => {
  const message = (n: number, extra: Partial<ServiceBusReceivedMessage> = {}): ServiceBusReceivedMessage =>
    ({
      body: Buffer.from(JSON.stringify({ n })),
      messageId: n === 1 ? '12345' : `m-${n}`,
      contentType: 'application/json',
      deliveryCount: 0,
      enqueuedTimeUtc: new Date('2026-12-07T10:00:00Z'),
      sequenceNumber: Long.fromNumber(n),
      applicationProperties: { topic: `t${n}` },
      lockToken: `lock-${n}`,
      ...extra,
    }) as unknown as ServiceBusReceivedMessage;

  it('round-trips each message metadata, failures counted into deliveryCount', () => {
    const data = toServiceBusBatchInvocationData(
      [
        message(0),
        message(1, { deliveryCount: 2, applicationProperties: { topic: 't1', processingFailures: 3 } }),
      ],
      'route',
      undefined,
    );
    expect(data.input.collectionString?.string).toEqual(['{"n":0}', '{"n":1}']);
    const metadata = Object.fromEntries(
      Object.entries(data.triggerMetadata).map(([key, value]) => [lowerFirst(key), asLibrary(value)]),
    );
    expect(metadata.messageIdArray).toEqual(['m-0', 12345]); // the library parses "12345" as JSON
    const count = (single: Record<string, unknown>) =>
      processingFailuresOf(applicationPropertiesOf({ triggerMetadata: single }));
    const first = messageMetadataOfBatch(metadata, 0, count);
    const second = messageMetadataOfBatch(metadata, 1, count);
    expect(first).toMatchObject({
      messageId: 'm-0',
      deliveryCount: 1,
      contentType: 'application/json',
      enqueuedTimeUtc: '2026-12-07T10:00:00.000Z',
      applicationProperties: { topic: 't0' },
    });
    // Its text back, and three failures in earlier batches on top of its third delivery.
    expect(second).toMatchObject({
      messageId: '12345',
      deliveryCount: 6,
      applicationProperties: { topic: 't1' },
    });
  });

  it('bytes for dataType binary', () => {
    const data = toServiceBusBatchInvocationData([message(0)], 'deliver', 'binary');
    expect(data.input.collectionBytes?.bytes.map((bytes) => Buffer.from(bytes).toString())).toEqual([
      '{"n":0}',
    ]);
  });
});
