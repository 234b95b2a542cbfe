import type { InvocationContext } from '@azure/functions';
import {
  DependencyTimeoutError,
  unavailableDependency,
  withDeadline,
} from '../../../shared/app/dependencyOutage';
import { respond, waitingFor } from '../../../shared/app/http';
import { checkHealth } from '../../../shared/management/health';

const context = {
  functionName: 'publish',
  error: () => undefined,
  warn: () => undefined,
} as unknown as InvocationContext;

describe('bounded waits', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a call that does not answer in time fails as an outage of the named dependency', async () => {
    const never = new Promise<never>(() => undefined);
    const bounded = withDeadline('Service Bus', 10_000, never);
    const outcome = expect(bounded).rejects.toBeInstanceOf(DependencyTimeoutError);
    await jest.advanceTimersByTimeAsync(10_000);
    await outcome;
    expect(unavailableDependency(new DependencyTimeoutError('Blob storage', 1))).toBe('Blob storage');
  });

  it('an answer in time is passed on, and a late failure is no unhandled rejection', async () => {
    await expect(withDeadline('Service Bus', 10_000, Promise.resolve('sent'))).resolves.toBe('sent');
    let fail: (error: Error) => void = () => undefined;
    const late = new Promise<never>((_, reject) => (fail = reject));
    const bounded = withDeadline('Service Bus', 10, late);
    const outcome = expect(bounded).rejects.toBeInstanceOf(DependencyTimeoutError);
    await jest.advanceTimersByTimeAsync(10);
    await outcome;
    fail(new Error('late'));
  });

  it('publish answers 503 with Retry-After naming the dependency, saying a retry is safe', async () => {
    const response = await respond(context, async () => {
      throw new DependencyTimeoutError('Service Bus', 10_000);
    });
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '5' });
    expect(response.body as string).toContain('Service Bus did not answer within 10 s');
  });
});

describe('management operations that wait for Cosmos DB', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answer 503 naming it when it does not answer within 10 s', async () => {
    const answer = respond(
      context,
      waitingFor('Cosmos DB', () => new Promise<never>(() => undefined)),
    );
    await jest.advanceTimersByTimeAsync(10_000);
    const response = await answer;
    expect(response.status).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '5' });
    expect(response.body as string).toContain('Cosmos DB did not answer within 10 s');
  });
});

describe('/health', () => {
  it('answers 503 with Retry-After when a dependency is down, and 200 without it otherwise', async () => {
    const down = await checkHealth([
      { name: 'serviceBus', check: async () => undefined },
      { name: 'cosmosDb', check: async () => Promise.reject(new Error('ECONNREFUSED')) },
    ]);
    expect(down).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
    const up = await checkHealth([{ name: 'serviceBus', check: async () => undefined }]);
    expect(up.status).toBe(200);
    expect(up.headers).toEqual({});
  });
});
