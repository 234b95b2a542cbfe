import type { ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import { waitFor } from './wait';

/**
 * Receives until `expected` messages have arrived, then checks that no more come (a short
 * receive that must return nothing). With `close`, closes the receiver afterwards.
 */
export async function drain(
  receiver: ServiceBusReceiver,
  expected: number,
  { close = false }: { close?: boolean } = {},
): Promise<ServiceBusReceivedMessage[]> {
  const got: ServiceBusReceivedMessage[] = [];
  await waitFor(`${expected} messages`, async () => {
    got.push(...(await receiver.receiveMessages(expected - got.length || 1, { maxWaitTimeInMs: 300 })));
    return got.length >= expected;
  });
  expect(await receiver.receiveMessages(5, { maxWaitTimeInMs: 200 })).toEqual([]);
  if (close) await receiver.close();
  return got;
}
