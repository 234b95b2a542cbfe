import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Envelope, operationId } from '../../../local/fake-appinsights/envelopes';
import { type FakeIngestion, startFakeIngestion } from '../../../local/fake-appinsights/fakeIngestion';

const SCRIPT = join(__dirname, 'fixtures', 'pipelineTelemetryScript.ts');

interface ScriptResult {
  enabled: boolean;
  functionLog: string[];
  publishTraceparent?: string;
  parent?: string;
  receivedTraceparents: string[];
  connections: string[];
  lookups: string[];
  receiverPort: number;
}

interface Run {
  exitCode: number | null;
  stderr: string;
  result: ScriptResult;
  /** Files the run left in its TMPDIR, apart from tsx's compile cache. */
  tempFiles: string[];
}

/** Runs the fixture as the app would run: its own process, env from "app settings". */
async function runScript(env: NodeJS.ProcessEnv): Promise<Run> {
  const tempDir = mkdtempSync(join(tmpdir(), 'telemetry-run-'));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tempDir,
    // Short export intervals keep the test fast; shutdown flushes whatever is left anyway.
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    ...env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];

  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));

  const resultLine = stdout.split('\n').find((line) => line.startsWith('RESULT '));
  if (!resultLine) throw new Error(`script printed no result (exit ${exitCode})\n${stdout}\n${stderr}`);
  const tempFiles = readdirSync(tempDir).filter((name) => !name.startsWith('tsx-'));
  rmSync(tempDir, { recursive: true, force: true });
  return {
    exitCode,
    stderr,
    result: JSON.parse(resultLine.slice('RESULT '.length)) as ScriptResult,
    tempFiles,
  };
}

const byType = (envelopes: Envelope[], baseType: string): Envelope[] =>
  envelopes.filter((envelope) => envelope.data?.baseType === baseType);

/** All data points of one metric, summed (counters are exported as deltas). */
function metricPoints(
  envelopes: Envelope[],
  name: string,
): Array<{ value: number; count: number | undefined; properties: Record<string, string> }> {
  return byType(envelopes, 'MetricData').flatMap((envelope) =>
    (envelope.data?.baseData.metrics ?? [])
      .filter((metric) => metric.name === name)
      .map((metric) => ({
        value: metric.value,
        count: metric.count,
        properties: envelope.data?.baseData.properties ?? {},
      })),
  );
}

describe('telemetry to Application Insights (fake ingestion endpoint)', () => {
  let ingestion: FakeIngestion;
  let withTelemetry: Run;
  let withoutTelemetry: Run;
  let misconfigured: Run;
  let requestsBeforeDisabledRun: number;

  beforeAll(async () => {
    ingestion = await startFakeIngestion();
    withTelemetry = await runScript({
      APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
      NODE_EXTRA_CA_CERTS: ingestion.certPath,
    });
    requestsBeforeDisabledRun = ingestion.requestCount();
    [withoutTelemetry, misconfigured] = await Promise.all([
      runScript({ APPLICATIONINSIGHTS_CONNECTION_STRING: undefined }),
      runScript({
        APPLICATIONINSIGHTS_CONNECTION_STRING:
          'InstrumentationKey=not-a-guid;IngestionEndpoint=https://127.0.0.1:9/',
      }),
    ]);
  }, 90_000);

  afterAll(async () => {
    await ingestion?.close();
  });

  describe('with a connection string', () => {
    let envelopes: Envelope[];
    let traceId: string;

    beforeAll(() => {
      envelopes = ingestion.envelopes();
      traceId = withTelemetry.result.publishTraceparent?.split('-')[1] ?? 'missing';
    });

    it('runs cleanly and sends to the configured endpoint as role "switchyard"', () => {
      expect(withTelemetry.exitCode).toBe(0);
      expect(withTelemetry.stderr).toBe('');
      expect(withTelemetry.result.enabled).toBe(true);
      expect(envelopes.length).toBeGreaterThan(0);
      for (const envelope of envelopes) expect(envelope.tags?.['ai.cloud.role']).toBe('switchyard');
    });

    it('records the publish request with its route, result code, properties and no secrets', () => {
      const publish = byType(envelopes, 'RequestData').find(
        (e) => e.data?.baseData.name === 'POST /api/topics/{topic}/events',
      );
      expect(publish?.data?.baseData).toMatchObject({
        responseCode: '202',
        success: true,
        properties: expect.objectContaining({ eventKey: 'orders:evt-1', topic: 'orders' }),
      });
      expect(publish?.data?.baseData.url).toBe(
        'http://localhost:7071/api/topics/orders/events?code=REDACTED',
      );
      expect(operationId(publish!)).toBe(traceId);
      expect(JSON.stringify(envelopes)).not.toMatch(/func-key-secret|s3cret-signature/);
    });

    it('continues the trace through Service Bus application properties into the consumer', () => {
      const publish = byType(envelopes, 'RequestData').find(
        (e) => e.data?.baseData.name === 'POST /api/topics/{topic}/events',
      );
      const deliver = byType(envelopes, 'RequestData').find((e) => e.data?.baseData.name === 'deliver');
      expect(withTelemetry.result.parent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(operationId(deliver!)).toBe(traceId);
      expect(deliver?.tags?.['ai.operation.parentId']).toBe(publish?.data?.baseData.id);
      expect(deliver?.data?.baseData.properties).toMatchObject({
        eventKey: 'orders:evt-1',
        subscription: 'billing',
      });
    });

    it('records the webhook calls as HTTP dependencies with result codes and injects traceparent', () => {
      const deliver = byType(envelopes, 'RequestData').find((e) => e.data?.baseData.name === 'deliver');
      const calls = byType(envelopes, 'RemoteDependencyData')
        .filter((e) => e.data?.baseData.type === 'Http')
        .map((e) => e.data?.baseData)
        .sort((a, b) => Number(a?.properties?.attempt) - Number(b?.properties?.attempt));
      expect(calls).toEqual([
        expect.objectContaining({
          name: 'POST /hook',
          resultCode: '500',
          success: false,
          properties: expect.objectContaining({ attempt: '1', eventKey: 'orders:evt-1' }),
        }),
        expect.objectContaining({
          name: 'POST /hook',
          resultCode: '200',
          success: true,
          properties: expect.objectContaining({ attempt: '2' }),
        }),
      ]);
      expect(calls[0]?.data).toBe(`http://127.0.0.1:${withTelemetry.result.receiverPort}/hook?sig=REDACTED`);
      // The receiver saw the dependency's own span as parent: same trace, the dependency's id.
      expect(withTelemetry.result.receivedTraceparents).toEqual(
        calls.map((call) => `00-${traceId}-${call?.id}-01`),
      );
      const httpDependencies = byType(envelopes, 'RemoteDependencyData').filter(
        (e) => e.data?.baseData.type === 'Http',
      );
      for (const dependency of httpDependencies)
        expect(dependency.tags?.['ai.operation.parentId']).toBe(deliver?.data?.baseData.id);
      // Incoming HTTP is the host's to record: the receiver's server side adds no request.
      expect(
        byType(envelopes, 'RequestData')
          .map((e) => e.data?.baseData.name)
          .sort(),
      ).toEqual(['POST /api/topics/{topic}/events', 'deliver']);
    });

    it('sends logs as traces with severity, custom properties and the operation id, and writes the function log', () => {
      const messages = byType(envelopes, 'MessageData').map((e) => ({
        message: e.data?.baseData.message,
        severity: e.data?.baseData.severityLevel,
        properties: e.data?.baseData.properties,
        operation: operationId(e),
      }));
      expect(messages).toEqual(
        expect.arrayContaining([
          {
            message: 'event accepted',
            severity: 'Information',
            properties: { eventKey: 'orders:evt-1', topic: 'orders' },
            operation: traceId,
          },
          {
            message: 'delivery attempt failed, retrying',
            severity: 'Warning',
            properties: {
              eventKey: 'orders:evt-1',
              topic: 'orders',
              subscription: 'billing',
              deliveryId: 'd-1',
              attempt: '1',
            },
            operation: traceId,
          },
        ]),
      );
      expect(withTelemetry.result.functionLog).toContain(
        'warn delivery attempt failed, retrying eventKey=orders:evt-1 topic=orders subscription=billing deliveryId=d-1 attempt=1',
      );
    });

    it('records an error thrown inside a span as a failed dependency and an exception in the same operation', () => {
      const failed = byType(envelopes, 'RemoteDependencyData').find(
        (e) => e.data?.baseData.name === 'Cosmos.upsert delivery',
      );
      expect(failed?.data?.baseData).toMatchObject({
        success: false,
        properties: expect.objectContaining({ deliveryId: 'd-1' }),
      });
      const exception = byType(envelopes, 'ExceptionData').find(
        (e) => e.data?.baseData.exceptions?.[0]?.message === 'Cosmos DB unavailable',
      );
      expect(exception && operationId(exception)).toBe(traceId);
      expect(exception?.tags?.['ai.operation.parentId']).toBe(failed?.data?.baseData.id);
    });

    it('exports the pipeline metrics with topic/subscription dimensions', () => {
      const sum = (name: string, properties: Record<string, string>): number =>
        metricPoints(envelopes, name)
          .filter((point) =>
            Object.entries(properties).every(([key, value]) => point.properties[key] === value),
          )
          .reduce((total, point) => total + point.value, 0);
      expect(sum('switchyard.events.published', { topic: 'orders' })).toBe(1);
      expect(metricPoints(envelopes, 'switchyard.events.matched')[0]).toMatchObject({
        value: 2,
        count: 1,
        properties: { topic: 'orders' },
      });
      expect(sum('switchyard.deliveries.retried', { topic: 'orders', subscription: 'billing' })).toBe(1);
      expect(sum('switchyard.deliveries.succeeded', { topic: 'orders', subscription: 'billing' })).toBe(1);
      expect(
        sum('switchyard.deliveries.dead_lettered', { subscription: 'audit', reason: 'PermanentFailure' }),
      ).toBe(1);
      expect(sum('switchyard.delivery.end_to_end.duration', { subscription: 'billing' })).toBe(1234);
      const attempts = metricPoints(envelopes, 'switchyard.delivery.attempt.duration');
      expect(attempts.map((point) => point.properties.outcome).sort()).toEqual(['retrying', 'succeeded']);
      expect(metricPoints(envelopes, 'switchyard.queue.depth')[0]).toMatchObject({
        value: 3,
        properties: { queue: 'deliveries' },
      });
    });

    it("keeps nothing on disk and talks only to the endpoint (plus the SDK's one Azure VM metadata probe)", () => {
      expect(withTelemetry.tempFiles).toEqual([]);
      const ingestionPort = new URL(ingestion.url).port;
      const allowed = new Set([
        `127.0.0.1:${ingestionPort}`,
        `127.0.0.1:${withTelemetry.result.receiverPort}`,
        '169.254.169.254:80',
      ]);
      expect(withTelemetry.result.connections.filter((address) => !allowed.has(address))).toEqual([]);
      expect(withTelemetry.result.lookups.filter((host) => host !== '127.0.0.1')).toEqual([]);
    });
  });

  describe('without a connection string', () => {
    it('runs the same code, sends nothing, connects nowhere but the webhook, writes nothing, logs no errors', () => {
      expect(withoutTelemetry.exitCode).toBe(0);
      expect(withoutTelemetry.stderr).toBe('');
      expect(withoutTelemetry.result.enabled).toBe(false);
      expect(ingestion.requestCount()).toBe(requestsBeforeDisabledRun);
      expect(withoutTelemetry.result.connections).toEqual([
        `127.0.0.1:${withoutTelemetry.result.receiverPort}`,
        `127.0.0.1:${withoutTelemetry.result.receiverPort}`,
      ]);
      expect(withoutTelemetry.result.lookups.filter((host) => host !== '127.0.0.1')).toEqual([]);
      expect(withoutTelemetry.tempFiles).toEqual([]);
      // No trace context to pass on, and the function log still gets the lines.
      expect(withoutTelemetry.result.publishTraceparent).toBeUndefined();
      expect(withoutTelemetry.result.receivedTraceparents).toEqual(['', '']);
      expect(withoutTelemetry.result.functionLog).toHaveLength(3);
    });
  });

  describe('with a connection string the SDK refuses', () => {
    it('runs the app without telemetry and says why once', () => {
      expect(misconfigured.exitCode).toBe(0);
      expect(misconfigured.result.enabled).toBe(false);
      expect(misconfigured.result.functionLog).toHaveLength(3);
      expect(misconfigured.stderr.trim().split('\n')).toEqual([
        'telemetry disabled: Invalid instrumentation key was provided to the Azure Monitor Exporter',
      ]);
    });
  });
});
