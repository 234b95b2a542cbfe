import { ServiceBusError } from '@azure/service-bus';
import { unavailableDependency } from '../../../shared/app/dependencyOutage';

describe('unavailableDependency', () => {
  it('names Service Bus for its transient codes only', () => {
    expect(unavailableDependency(new ServiceBusError('busy', 'ServiceBusy'))).toBe('Service Bus');
    expect(unavailableDependency(new ServiceBusError('timeout', 'ServiceTimeout'))).toBe('Service Bus');
    expect(unavailableDependency(new ServiceBusError('gone', 'MessagingEntityNotFound'))).toBeUndefined();
  });

  it('names Cosmos DB for throttling and outages, not for client errors', () => {
    expect(unavailableDependency(Object.assign(new Error('throttled'), { code: 429 }))).toBe('Cosmos DB');
    expect(unavailableDependency(Object.assign(new Error('down'), { statusCode: 503 }))).toBe('Cosmos DB');
    expect(unavailableDependency(Object.assign(new Error('conflict'), { code: 409 }))).toBeUndefined();
  });

  it('treats refused and reset connections as an outage, and a plain bug as none', () => {
    expect(unavailableDependency(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(
      'a dependency',
    );
    expect(
      unavailableDependency(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', diagnostics: {} })),
    ).toBe('Cosmos DB');
    expect(unavailableDependency(new TypeError('x is undefined'))).toBeUndefined();
    expect(unavailableDependency(undefined)).toBeUndefined();
  });
});
