import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMainFiles } from '../../../local/devhost/app/findMainFiles';
import { loadLocalSettings } from '../../../local/devhost/app/loadLocalSettings';
import { parseTimeSpan } from '../../../local/devhost/app/parseTimeSpan';
import { planFunctions } from '../../../local/devhost/app/planFunctions';
import { readHostOptions } from '../../../local/devhost/app/readHostOptions';
import { readServiceBusConnection } from '../../../local/devhost/servicebus/ServiceBusConnections';
import { toServiceBusInput } from '../../../local/devhost/servicebus/toServiceBusInvocation';
import { parseSchedule } from '../../../local/devhost/timer/parseSchedule';

// Pure (or temp-directory) parts of the dev host's start-up; no process is started.

describe('app files and settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'devhost-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the files a main glob names, skipping node_modules', () => {
    for (const path of [
      'functions/a.ts',
      'functions/b.js',
      'functions/nested/c.ts',
      'functions/node_modules/x.ts',
      'other/d.ts',
    ]) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), '');
    }
    const relative = (files: string[]) => files.map((file) => file.slice(dir.length + 1));
    expect(relative(findMainFiles(dir, 'functions/*.ts'))).toEqual(['functions/a.ts']);
    expect(relative(findMainFiles(dir, 'functions/**/*.ts'))).toEqual([
      'functions/a.ts',
      'functions/nested/c.ts',
    ]);
    expect(relative(findMainFiles(dir, '{functions,other}/*.{ts,js}'))).toEqual([
      'functions/a.ts',
      'functions/b.js',
      'other/d.ts',
    ]);
    expect(relative(findMainFiles(dir, './other/d.ts'))).toEqual(['other/d.ts']);
    expect(findMainFiles(dir, 'missing/*.ts')).toEqual([]);
  });

  it('copies local.settings.json Values into the environment, letting existing variables win', () => {
    writeFileSync(
      join(dir, 'local.settings.json'),
      JSON.stringify({
        IsEncrypted: false,
        Values: { A: 'from-file', B: 'from-file', N: 5 },
        Host: { LocalHttpPort: 7199, CORS: 'http://a.example, http://b.example' },
      }),
    );
    const env: NodeJS.ProcessEnv = { B: 'from-env' };
    expect(loadLocalSettings(dir, env)).toEqual({
      applied: ['A', 'N'],
      skipped: ['B'],
      host: {
        localHttpPort: 7199,
        corsOrigins: ['http://a.example', 'http://b.example'],
        corsCredentials: false,
      },
    });
    expect(env).toEqual({ A: 'from-file', B: 'from-env', N: '5' });
  });

  it('reads host.json with the host defaults', () => {
    writeFileSync(
      join(dir, 'host.json'),
      JSON.stringify({
        version: '2.0',
        functionTimeout: '-1',
        extensions: { http: { routePrefix: '/v1/' }, serviceBus: { maxConcurrentCalls: 2 } },
      }),
    );
    expect(readHostOptions(dir)).toMatchObject({
      routePrefix: 'v1',
      functionTimeoutMs: undefined,
      serviceBus: {
        maxConcurrentCalls: 2,
        autoCompleteMessages: true,
        maxAutoLockRenewalDurationMs: 300_000,
        prefetchCount: 0,
        maxMessageBatchSize: 1000,
        minMessageBatchSize: 1,
        maxBatchWaitTimeMs: 30_000,
      },
    });
    writeFileSync(
      join(dir, 'host.json'),
      JSON.stringify({
        extensions: {
          serviceBus: { maxMessageBatchSize: 64, minMessageBatchSize: 8, maxBatchWaitTime: '00:00:00.500' },
        },
      }),
    );
    expect(readHostOptions(dir).serviceBus).toMatchObject({
      maxMessageBatchSize: 64,
      minMessageBatchSize: 8,
      maxBatchWaitTimeMs: 500,
    });
    writeFileSync(
      join(dir, 'host.json'),
      JSON.stringify({ extensions: { serviceBus: { maxMessageBatchSize: 4, minMessageBatchSize: 8 } } }),
    );
    expect(() => readHostOptions(dir)).toThrow('minMessageBatchSize');
    writeFileSync(join(dir, 'host.json'), JSON.stringify({ functionTimeout: 'ten minutes' }));
    expect(() => readHostOptions(dir)).toThrow('functionTimeout');
  });

  it('lets AzureFunctionsJobHost__ app settings override host.json, as the host does', () => {
    writeFileSync(
      join(dir, 'host.json'),
      JSON.stringify({ extensions: { serviceBus: { maxConcurrentCalls: 2, autoCompleteMessages: true } } }),
    );
    const env = {
      AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls: '64',
      AZUREFUNCTIONSJOBHOST__EXTENSIONS__SERVICEBUS__AUTOCOMPLETEMESSAGES: 'false',
      AzureFunctionsJobHost__extensions__http__routePrefix: 'v2',
      AzureFunctionsJobHost__functionTimeout: '00:01:00',
      UNRELATED: '1',
    };
    expect(readHostOptions(dir, env)).toMatchObject({
      routePrefix: 'v2',
      functionTimeoutMs: 60_000,
      serviceBus: { maxConcurrentCalls: 64, autoCompleteMessages: false },
    });
    expect(() =>
      readHostOptions(dir, { AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls: 'many' }),
    ).toThrow(/with AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls.*maxConcurrentCalls/s);
  });
});

describe('parsing', () => {
  it('reads .NET TimeSpans', () => {
    expect(parseTimeSpan('00:05:00')).toBe(300_000);
    expect(parseTimeSpan('1.02:00:00')).toBe(26 * 3_600_000);
    expect(parseTimeSpan('00:00:01.5')).toBe(1_500);
    expect(parseTimeSpan('5 minutes')).toBeUndefined();
  });

  it('reads six-field NCRONTAB schedules in UTC and TimeSpan intervals', () => {
    const everyFiveMinutes = parseSchedule('0 */5 * * * *', undefined);
    expect(everyFiveMinutes.nextAfter(new Date('2026-01-01T10:02:30Z')).toISOString()).toBe(
      '2026-01-01T10:05:00.000Z',
    );
    const weekdays = parseSchedule('30 0 9 * * 1-5', undefined);
    expect(weekdays.nextAfter(new Date('2026-01-03T12:00:00Z')).toISOString()).toBe(
      '2026-01-05T09:00:30.000Z',
    );
    expect(
      parseSchedule('00:00:10', undefined).nextAfter(new Date('2026-01-01T00:00:00Z')).toISOString(),
    ).toBe('2026-01-01T00:00:10.000Z');
    expect(() => parseSchedule('*/5 * * * *', undefined)).toThrow('six-field');
  });

  it('turns message bodies into trigger input the way the host does', () => {
    expect(toServiceBusInput(Buffer.from('{"a":1}'), undefined)).toEqual({ string: '{"a":1}' });
    expect(toServiceBusInput(Buffer.from([1, 2]), 'binary')).toEqual({ bytes: Buffer.from([1, 2]) });
    expect(toServiceBusInput('text', undefined)).toEqual({ string: 'text' });
    expect(toServiceBusInput({ a: 1 }, undefined)).toEqual({ json: '{"a":1}' });
  });
});

describe('connections and function plans', () => {
  it('resolves a Service Bus connection by setting name', () => {
    expect(readServiceBusConnection('Sb', { Sb: 'Endpoint=sb://x/' })).toEqual({
      kind: 'connectionString',
      connectionString: 'Endpoint=sb://x/',
    });
    expect(
      readServiceBusConnection('Sb', { Sb__fullyQualifiedNamespace: 'ns.servicebus.windows.net' }),
    ).toMatchObject({ kind: 'identity', credential: 'default' });
    expect(
      readServiceBusConnection('Sb', { Sb__fullyQualifiedNamespace: 'ns', Sb__clientId: 'abc' }),
    ).toMatchObject({ credential: 'managedIdentity', clientId: 'abc' });
    expect(
      readServiceBusConnection('Sb', {
        Sb__fullyQualifiedNamespace: 'ns',
        Sb__credential: 'managedidentity',
      }),
    ).toMatchObject({ credential: 'managedIdentity', clientId: undefined });
    expect(() => readServiceBusConnection('Sb', {})).toThrow(
      'set Sb (a connection string) or Sb__fullyQualifiedNamespace',
    );
  });

  it('resolves %settings% in trigger options and names every function it cannot run', () => {
    const trigger = (type: string, extra: Record<string, unknown>) => ({
      trigger: { type, direction: 'in' as const, ...extra },
    });
    const [queue] = planFunctions(
      [{ name: 'q', bindings: trigger('serviceBusTrigger', { queueName: '%Q%', connection: 'Sb' }) }],
      { Q: 'ingress' },
    );
    expect(queue).toMatchObject({
      kind: 'serviceBus',
      entity: { queueName: 'ingress' },
      connection: 'Sb',
      cardinality: 'one',
    });
    const [batch] = planFunctions(
      [{ name: 'b', bindings: trigger('serviceBusTrigger', { queueName: 'q', cardinality: 'many' }) }],
      {},
    );
    expect(batch).toMatchObject({ kind: 'serviceBus', cardinality: 'many' });
    expect(() =>
      planFunctions(
        [
          { name: 'missingSetting', bindings: trigger('serviceBusTrigger', { queueName: '%NOPE%' }) },
          { name: 'blob', bindings: trigger('blobTrigger', { path: 'c/{name}' }) },
          {
            name: 'sessions',
            bindings: trigger('serviceBusTrigger', { queueName: 'q', isSessionsEnabled: true }),
          },
        ],
        {},
      ),
    ).toThrow(
      /3 function\(s\):[\s\S]*"missingSetting": queueName: the app setting "NOPE"[\s\S]*"blob" uses a blobTrigger trigger[\s\S]*"sessions" uses Service Bus sessions/,
    );
  });
});
