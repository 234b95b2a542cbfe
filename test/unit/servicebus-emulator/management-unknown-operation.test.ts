import { handleManagementRequest } from '../../../local/servicebus-emulator/amqp/management';
import { buildRegistry } from '../../../local/servicebus-emulator/broker/buildRegistry';
import { loadConfig } from '../../../local/servicebus-emulator/config/load';

/** A forged operation name must be answered as unsupported, even one that names an Object member. */
it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'com.microsoft:made-up'])(
  'answers 501 not-implemented to the management operation %s',
  (operation) => {
    const registry = buildRegistry(
      loadConfig({
        UserConfig: { Namespaces: [{ Name: 'ns', Queues: [{ Name: 'q' }] }], Logging: { Type: 'Console' } },
      }),
    );
    try {
      const reply = handleManagementRequest(
        { message_id: 'm', application_properties: { operation }, body: {} },
        registry.resolve('q/$management')!,
      );
      expect(reply.application_properties).toMatchObject({
        statusDescription: `The operation '${operation}' is not supported by the emulator.`,
      });
    } finally {
      registry.close();
    }
  },
);
