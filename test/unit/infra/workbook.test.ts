/**
 * The workbook (infra/app/workbook.json) stays true to the telemetry: every metric name, custom
 * dimension, request name and dimension value its queries read is one the app records. None of
 * those names is written down here: they come from running the app's own reporting code (the
 * invocation hook, reportRouted, reportDelivery, the metrics from shared/telemetry) against
 * in-memory OpenTelemetry exporters. So renaming a metric or a property in the code alone fails
 * this test, and so does a workbook query that reads a name nothing records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { InvocationContext, PreInvocationContext } from '@azure/functions';
import { SpanKind, context, metrics, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { traceInvocation } from '../../../shared/app/invocationTelemetry';
import { carriedProperties } from '../../../shared/app/journey';
import { reportDelivery } from '../../../shared/app/reportDelivery';
import { reportRouted } from '../../../shared/app/reportRoute';
import { reportHealthChange } from '../../../shared/app/reportProtection';
import { toDeliveryServiceBusMessage } from '../../../shared/bus/deliveryMessages';
import type { DeliveryAttempt, DeliveryMessage, DeliveryRecord } from '../../../shared/domain/types';
import type { DeliverResult } from '../../../shared/pipeline/deliver';
import type { DeliveryDecision } from '../../../shared/pipeline/deliveryDecision';
import { registerQueueDepthSource } from '../../../shared/telemetry';
import { METRICS } from '../../../shared/telemetry/metrics';
import { startMetrics, stopMetrics } from '../../../shared/telemetry/metrics';
import { CLOUD_ROLE_NAME } from '../../../shared/telemetry/options';
import { setTelemetryEnabled } from '../../../shared/telemetry/state';

const root = join(__dirname, '..', '..', '..');
const workbookPath = join(root, 'infra', 'app', 'workbook.json');

/** What the app recorded, by Application Insights table. */
interface Recorded {
  /** customMetrics: metric name -> its dimension names. */
  metricDimensions: Map<string, Set<string>>;
  /** requests (server and consumer spans): their names and custom dimensions. */
  requestNames: Set<string>;
  requestDimensions: Set<string>;
  /** traces (log records): their custom dimensions. */
  traceDimensions: Set<string>;
  /** Every value seen per dimension name, on any table. */
  dimensionValues: Map<string, Set<string>>;
}

// ---- Recording: the app's reporting code, run once per outcome, into in-memory exporters ----

const T0 = new Date('2026-11-28T10:00:00.000Z');

const deliveryMessage: DeliveryMessage = {
  deliveryId: 'orders:1:billing',
  eventKey: 'orders:1',
  topic: 'orders',
  subscription: 'billing',
  attempt: 1,
  firstAttemptAt: T0.toISOString(),
};

function attempted(
  decision: DeliveryDecision,
  attempt: Omit<DeliveryAttempt, 'n' | 'at'>,
  destinationCalled = true,
): DeliverResult {
  const record: DeliveryRecord = {
    id: deliveryMessage.deliveryId,
    deliveryId: deliveryMessage.deliveryId,
    eventKey: deliveryMessage.eventKey,
    topic: deliveryMessage.topic,
    subscription: deliveryMessage.subscription,
    status: 'pending',
    attempts: [],
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
  };
  return {
    kind: 'attempted',
    decision,
    attempt: { n: 1, at: T0.toISOString(), ...attempt },
    record,
    destinationCalled,
  };
}

/** One delivery of each kind the workbook shows: succeeded, retried, dead-lettered (called or not). */
const deliveryResults: DeliverResult[] = [
  attempted({ kind: 'succeeded' }, { outcome: 'succeeded', httpStatus: 200, durationMs: 42 }),
  attempted(
    { kind: 'retry', at: new Date(T0.getTime() + 10_000) },
    { outcome: 'retryableFailure', httpStatus: 503, durationMs: 30 },
  ),
  attempted(
    { kind: 'deadLetter', reason: 'EndpointRejected', description: '401', disableSubscription: false },
    { outcome: 'permanentFailure', httpStatus: 401, durationMs: 12 },
  ),
  attempted(
    { kind: 'deadLetter', reason: 'SubscriptionDeleted', description: 'deleted', disableSubscription: false },
    { outcome: 'permanentFailure', durationMs: 0 },
    false,
  ),
  { kind: 'held', reason: 'rateLimit', until: new Date(T0.getTime() + 200) },
  { kind: 'held', reason: 'concurrency', until: new Date(T0.getTime() + 1_000) },
  { kind: 'held', reason: 'circuitOpen', until: new Date(T0.getTime() + 30_000) },
];

/** Runs `body` as the Functions host would: a Service Bus invocation through the preInvocation hook. */
async function invokeServiceBusFunction(
  functionName: string,
  queueName: string,
  applicationProperties: Record<string, unknown>,
  body: (invocation: InvocationContext) => void,
): Promise<void> {
  const invocationContext = new InvocationContext({
    functionName,
    invocationId: `${functionName}-invocation`,
    logHandler: () => {}, // the function log is not what this test reads
    triggerMetadata: { applicationProperties },
    options: { trigger: { type: 'serviceBusTrigger', name: 'message', queueName } },
  });
  const hook = new PreInvocationContext({
    invocationContext,
    inputs: [{}],
    functionCallback: (_message: unknown, invocation: InvocationContext) => body(invocation),
  });
  traceInvocation(hook);
  await hook.functionHandler({}, invocationContext);
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, values: Iterable<V>): void {
  const set = map.get(key) ?? new Set<V>();
  for (const value of values) set.add(value);
  map.set(key, set);
}

async function recordPipelineTelemetry(): Promise<Recorded> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const spans = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  const logRecords = new InMemoryLogRecordExporter();
  logs.setGlobalLoggerProvider(
    new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logRecords })] }),
  );
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  // Exported by forceFlush below; the interval only has to be longer than the test.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  setTelemetryEnabled(true);
  startMetrics();
  const unregisterQueueDepth = registerQueueDepthSource(() => ({ ingress: 3 }));
  try {
    await invokeServiceBusFunction('route', 'ingress', { topic: deliveryMessage.topic }, (invocation) =>
      reportRouted(invocation, {
        kind: 'routed',
        eventKey: deliveryMessage.eventKey,
        topic: deliveryMessage.topic,
        matched: [deliveryMessage.subscription],
        firstTime: true,
      }),
    );
    for (const result of deliveryResults) {
      // The application properties the delivery message really carries, publish time included.
      const { applicationProperties } = toDeliveryServiceBusMessage(
        deliveryMessage,
        carriedProperties(T0.toISOString()),
      );
      await invokeServiceBusFunction('deliver', 'deliveries', applicationProperties ?? {}, (invocation) =>
        reportDelivery(invocation, deliveryMessage, result, new Date(T0.getTime() + 1_500)),
      );
    }
    const subscription = { topic: deliveryMessage.topic, name: deliveryMessage.subscription };
    for (const change of ['circuitOpened', 'circuitClosed', 'disabled'] as const) {
      reportHealthChange(subscription, change, 'recorded by the test');
    }
    await meterProvider.forceFlush();
  } finally {
    unregisterQueueDepth();
    stopMetrics();
    setTelemetryEnabled(false);
    await meterProvider.shutdown();
    metrics.disable();
    trace.disable();
    logs.disable();
    context.disable();
  }

  const recorded: Recorded = {
    metricDimensions: new Map(),
    requestNames: new Set(),
    requestDimensions: new Set(),
    traceDimensions: new Set(),
    dimensionValues: new Map(),
  };
  const noteValues = (attributes: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(attributes)) {
      addTo(recorded.dimensionValues, key, [String(value)]);
    }
  };
  for (const resourceMetrics of metricExporter.getMetrics()) {
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        addTo(recorded.metricDimensions, metric.descriptor.name, []);
        for (const point of metric.dataPoints) {
          addTo(recorded.metricDimensions, metric.descriptor.name, Object.keys(point.attributes));
          noteValues(point.attributes);
        }
      }
    }
  }
  for (const span of spans.getFinishedSpans()) {
    if (span.kind !== SpanKind.SERVER && span.kind !== SpanKind.CONSUMER) continue;
    recorded.requestNames.add(span.name);
    for (const key of Object.keys(span.attributes)) recorded.requestDimensions.add(key);
    noteValues(span.attributes);
  }
  for (const record of logRecords.getFinishedLogRecords()) {
    const attributes = record.attributes ?? {};
    for (const key of Object.keys(attributes)) recorded.traceDimensions.add(key);
    noteValues(attributes);
  }
  return recorded;
}

// ---- Reading the workbook: its queries and what they reference ----

interface WorkbookQuery {
  /** The item's or parameter's name, for messages. */
  name: string;
  query: string;
  /** The table the query starts from. */
  table: string;
  /** A parameter's query (fills a dropdown) rather than a chart's or grid's. */
  isParameter: boolean;
}

interface WorkbookItem {
  name?: string;
  content?: { query?: string; parameters?: { name: string; query?: string }[] };
}

const tableOf = (query: string): string => /^\s*(\w+)/.exec(query)?.[1] ?? '';

/** The queries of the workbook's items and of its parameters. */
function queriesOf(items: WorkbookItem[]): WorkbookQuery[] {
  return items.flatMap((item): WorkbookQuery[] => {
    const { query, parameters = [] } = item.content ?? {};
    const own =
      query === undefined
        ? []
        : [{ name: item.name ?? '(unnamed)', query, table: tableOf(query), isParameter: false }];
    const ofParameters = parameters.flatMap((parameter) =>
      parameter.query === undefined
        ? []
        : [
            {
              name: parameter.name,
              query: parameter.query,
              table: tableOf(parameter.query),
              isParameter: true,
            },
          ],
    );
    return own.concat(ofParameters);
  });
}

const declaredParameters = (items: WorkbookItem[]): string[] =>
  items.flatMap((item) => (item.content?.parameters ?? []).map((parameter) => parameter.name));

/** The first capture group of every match. */
const matchesOf = (text: string, pattern: RegExp): string[] =>
  [...text.matchAll(pattern)].map((match) => match[1] ?? '');

/** Metric names a query reads: every string literal in the app's metric namespace. */
const metricNamesIn = (query: string): string[] => matchesOf(query, /["'](switchyard\.[^"']*)["']/g);

/** customDimensions.x and customDimensions["x"]. */
const dimensionsIn = (query: string): string[] =>
  [...query.matchAll(/customDimensions(?:\.(\w+)|\[\s*["']([^"']+)["']\s*\])/g)].map(
    (match) => match[1] ?? match[2] ?? '',
  );

/** Literal values a query compares a column to: `column == "v"` and `column in ("a", "b")`. */
function comparedValues(query: string, column: string): string[] {
  const equal = matchesOf(query, new RegExp(`\\b${column}\\s*==\\s*"([^"]*)"`, 'g'));
  const lists = matchesOf(query, new RegExp(`\\b${column}\\s+in\\s*\\(([^)]*)\\)`, 'g'));
  return equal.concat(lists.flatMap((list) => matchesOf(list, /"([^"]*)"/g)));
}

// ---- The checks ----

const workbook = JSON.parse(readFileSync(workbookPath, 'utf8')) as { version: string; items: WorkbookItem[] };
const queries = queriesOf(workbook.items);
let recorded: Recorded;

beforeAll(async () => {
  recorded = await recordPipelineTelemetry();
});

describe('the workbook template', () => {
  it('is a Notebook/1.0 workbook that Bicep deploys as is', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    const bicep = readFileSync(join(root, 'infra', 'app', 'workbook.bicep'), 'utf8');
    expect(bicep).toContain("loadJsonContent('workbook.json')");
    expect(readFileSync(join(root, 'infra', 'main.bicep'), 'utf8')).toContain(
      "module workbook 'app/workbook.bicep'",
    );
  });

  it('has queries on every table it promises', () => {
    expect(new Set(queries.map((query) => query.table))).toEqual(
      new Set(['customMetrics', 'requests', 'traces', 'exceptions']),
    );
  });

  it('uses only parameters it declares', () => {
    const declared = new Set(declaredParameters(workbook.items));
    for (const { name, query } of queries) {
      const used = matchesOf(query, /\{(\w+)(?::\w+)?\}/g);
      expect({ name, undeclared: used.filter((parameter) => !declared.has(parameter)) }).toEqual({
        name,
        undeclared: [],
      });
    }
    expect(declared).toEqual(new Set(['TimeRange', 'Topic', 'Subscription']));
  });
});

describe('the recording the checks compare against', () => {
  it('holds metrics under the names shared/telemetry defines, and requests and traces with dimensions', () => {
    const defined = new Set<string>(Object.values(METRICS).map((metric) => metric.name));
    const recordedMetrics = [...recorded.metricDimensions.keys()];
    expect(recordedMetrics.filter((name) => !defined.has(name))).toEqual([]);
    // Everything the pipeline reports for routing and delivery (a new metric need not be here).
    expect(recordedMetrics.length).toBeGreaterThanOrEqual(8);
    expect(recorded.requestNames).toEqual(new Set(['route', 'deliver']));
    expect(recorded.requestDimensions.size).toBeGreaterThan(0);
    expect(recorded.traceDimensions.size).toBeGreaterThan(0);
  });
});

describe('every workbook query reads only what the app records', () => {
  it.each(queries.map((query) => [query.name, query] as const))('%s', (_name, { query, table }) => {
    const metricNames = metricNamesIn(query);
    const unknownMetrics = metricNames.filter((name) => !recorded.metricDimensions.has(name));

    let allowedDimensions: Set<string>;
    if (table === 'customMetrics') {
      // Only the dimensions of the metrics this query reads (all metrics' if it names none).
      const read = metricNames.length > 0 ? metricNames : [...recorded.metricDimensions.keys()];
      allowedDimensions = new Set(read.flatMap((name) => [...(recorded.metricDimensions.get(name) ?? [])]));
    } else if (table === 'requests') {
      allowedDimensions = recorded.requestDimensions;
    } else if (table === 'traces') {
      allowedDimensions = recorded.traceDimensions;
    } else {
      allowedDimensions = new Set(); // exceptions (and anything else): no custom dimension is checked, so none may be read
    }
    const unknownDimensions = dimensionsIn(query).filter((dimension) => !allowedDimensions.has(dimension));

    // Values compared to a dimension (outcome == "retrying") must be values the app records.
    const unknownValues = [...allowedDimensions].flatMap((dimension) =>
      comparedValues(query, dimension)
        .filter((value) => !(recorded.dimensionValues.get(dimension) ?? new Set()).has(value))
        .map((value) => `${dimension} == "${value}"`),
    );
    const unknownRequestNames =
      table === 'requests'
        ? comparedValues(query, 'name').filter((name) => !recorded.requestNames.has(name))
        : [];
    const unknownRoles = comparedValues(query, 'cloud_RoleName').filter((role) => role !== CLOUD_ROLE_NAME);

    expect({ unknownMetrics, unknownDimensions, unknownValues, unknownRequestNames, unknownRoles }).toEqual({
      unknownMetrics: [],
      unknownDimensions: [],
      unknownValues: [],
      unknownRequestNames: [],
      unknownRoles: [],
    });
  });
});

describe('the workbook shows what the issue asks for', () => {
  const all = queries.map((query) => query.query).join('\n');

  it('charts the flow: published, matched, succeeded, retried and dead-lettered', () => {
    const flow = [
      METRICS.eventsPublished,
      METRICS.eventsMatched,
      METRICS.deliveriesSucceeded,
      METRICS.deliveriesRetried,
      METRICS.deliveriesDeadLettered,
    ];
    for (const metric of flow) expect(metricNamesIn(all)).toContain(metric.name);
  });

  it('gives p50/p95/p99 of attempt duration and end to end from the measured values the log lines carry', () => {
    const latency = queries.filter((query) => query.table === 'traces').map((query) => query.query);
    for (const measured of ['durationMs', 'endToEndMs']) {
      const percentiles = latency.find(
        (query) => dimensionsIn(query).includes(measured) && /percentile\(\w+, 99\)/.test(query),
      );
      expect({ measured, found: percentiles !== undefined }).toEqual({ measured, found: true });
      expect(percentiles).toMatch(/percentile\(\w+, 50\)[\s\S]*percentile\(\w+, 95\)/);
    }
  });

  it('breaks failed attempts down by HTTP status and dead letters by reason', () => {
    expect(
      queries.some((query) => query.table === 'requests' && dimensionsIn(query.query).includes('httpStatus')),
    ).toBe(true);
    expect(
      queries.some(
        (query) =>
          metricNamesIn(query.query).includes(METRICS.deliveriesDeadLettered.name) &&
          dimensionsIn(query.query).includes('reason'),
      ),
    ).toBe(true);
  });

  it('filters every pipeline query by topic and subscription', () => {
    // Function failures and exceptions cover every function, so they are not filtered.
    const pipeline = queries.filter(
      (query) =>
        ['customMetrics', 'traces'].includes(query.table) ||
        (query.table === 'requests' && comparedValues(query.query, 'name').length > 0),
    );
    expect(pipeline.length).toBeGreaterThan(10);
    for (const { name, query, isParameter } of pipeline) {
      // The Topic dropdown lists every topic; the Subscription dropdown follows the Topic.
      const expected = { topic: !(isParameter && name === 'Topic'), subscription: !isParameter };
      expect({
        name,
        topic: query.includes('{Topic}'),
        subscription: query.includes('{Subscription}'),
      }).toEqual({ name, ...expected });
    }
  });
});
