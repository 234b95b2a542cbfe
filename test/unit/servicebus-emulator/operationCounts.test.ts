import { message as rheaMessage, type Message } from 'rhea';
import { handleManagementRequest } from '../../../local/servicebus-emulator/amqp/management';
import { buildRegistry } from '../../../local/servicebus-emulator/broker/buildRegistry';
import { OperationCounts } from '../../../local/servicebus-emulator/broker/operationCounts';
import { loadConfig } from '../../../local/servicebus-emulator/config/load';

const codec = rheaMessage as unknown as { encode(message: Message): Buffer; decode(buffer: Buffer): Message };

it('counts $management requests, the messages they schedule and the lock tokens they settle', () => {
  const registry = buildRegistry(
    loadConfig({
      UserConfig: { Namespaces: [{ Name: 'ns', Queues: [{ Name: 'q' }] }], Logging: { Type: 'Console' } },
    }),
  );
  const counts = new OperationCounts();
  try {
    const queue = registry.queue('q')!;
    for (const id of ['m1', 'm2', 'm3']) {
      queue.send({ amqp: codec.decode(codec.encode({ message_id: id, body: id })), messageId: id, size: 64 });
    }
    const tokens = [1, 2, 3].map(() => queue.store.take('peekLock')!.lock!.token);
    const management = registry.resolve('q/$management')!;
    const ask = (operation: string, body: Record<string, unknown>) =>
      handleManagementRequest(
        { message_id: operation, application_properties: { operation: `com.microsoft:${operation}` }, body },
        management,
        counts,
      );
    const later = new Date(Date.now() + 3_600_000);
    const scheduled = (id: string) => ({
      message: codec.encode({
        message_id: id,
        body: id,
        message_annotations: { 'x-opt-scheduled-enqueue-time': later },
      }),
    });
    ask('schedule-message', { messages: [scheduled('s1'), scheduled('s2')] });
    ask('update-disposition', { 'disposition-status': 'completed', 'lock-tokens': tokens.slice(0, 2) });
    ask('update-disposition', { 'disposition-status': 'suspended', 'lock-tokens': tokens.slice(2) });
    ask('no-such-operation', {});

    expect(counts.snapshot()).toEqual({
      q: {
        'management schedule-message': 1,
        schedule: 2,
        'management update-disposition': 2,
        complete: 2,
        deadLetter: 1,
        'management unsupported': 1,
      },
    });
  } finally {
    registry.close();
  }
});
