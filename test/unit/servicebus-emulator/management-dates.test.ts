import { message as rheaMessage, type Message } from 'rhea';
import { handleManagementRequest } from '../../../local/servicebus-emulator/amqp/management';
import { buildRegistry } from '../../../local/servicebus-emulator/broker/buildRegistry';
import { loadConfig } from '../../../local/servicebus-emulator/config/load';

/**
 * The wire form of a deferred message: SDK 7.9.5 decodes receiveDeferredMessages answers with
 * skipConvertingDate forced off, so a Date application property reaches its users as a number
 * whatever the service sends; this checks that the emulator sends an AMQP timestamp (rhea
 * decodes it as a Date), as it does on every path the SDK lets a test see (fidelity.test.ts).
 */
const codec = rheaMessage as unknown as { encode(message: Message): Buffer; decode(buffer: Buffer): Message };
const WHEN = new Date('2026-03-01T12:34:56.789Z');

it('answers receive-by-sequence-number and peek with Date application properties as timestamps', () => {
  const registry = buildRegistry(
    loadConfig({
      UserConfig: { Namespaces: [{ Name: 'ns', Queues: [{ Name: 'q' }] }], Logging: { Type: 'Console' } },
    }),
  );
  try {
    const queue = registry.queue('q')!;
    const sent = codec.decode(
      codec.encode({ message_id: 'm', body: 'x', application_properties: { when: WHEN } }),
    );
    queue.send({ amqp: sent, messageId: 'm', size: 64 });
    const received = queue.store.take('peekLock')!;
    queue.store.defer(received.lock!.token);

    const management = registry.resolve('q/$management')!;
    const ask = (operation: string, body: Record<string, unknown>): Message[] => {
      const reply = handleManagementRequest(
        { message_id: operation, application_properties: { operation: `com.microsoft:${operation}` }, body },
        management,
      );
      const messages = (reply.body as { messages: Array<{ message: Buffer }> }).messages;
      return messages.map((entry) => codec.decode(entry.message));
    };
    const [deferred] = ask('receive-by-sequence-number', {
      'sequence-numbers': [1],
      'receiver-settle-mode': 1,
    });
    expect(deferred!.application_properties).toEqual({ when: WHEN });
    expect(deferred!.delivery_count).toBe(1);
    const [peeked] = ask('peek-message', { 'from-sequence-number': 1, 'message-count': 1 });
    expect(peeked!.application_properties!.when).toEqual(WHEN);
  } finally {
    registry.close();
  }
});
