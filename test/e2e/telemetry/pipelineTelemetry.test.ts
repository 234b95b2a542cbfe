import type { Envelope } from '../../../local/fake-appinsights/envelopes';
import { type FakeIngestion, startFakeIngestion } from '../../../local/fake-appinsights/fakeIngestion';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from '../pipeline/harness';
import { itemsOf, metricTotal, propertiesOf } from './envelopeQueries';

const TOPIC = 'telemetry-orders';
const SUBSCRIPTION = 'billing';
const PATH = '/telemetry-billing';
/** The caller's trace: publish continues it, and every later step joins it. */
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const GONE_TOPIC = 'telemetry-gone';
const GONE_SUBSCRIPTION = 'retired';
const GONE_PATH = '/telemetry-retired';

/**
 * One event through the whole pipeline with telemetry on: its webhook answers 500 once, then
 * 200. Everything is read back from the fake ingestion endpoint, as Application Insights
 * would store it.
 */
describe('telemetry through the pipeline (fake Application Insights ingestion)', () => {
  let ingestion: FakeIngestion;
  let pipeline: Pipeline;
  let eventKey: string;
  let deliveryId: string;

  const all = (): Envelope[] => ingestion.envelopes();
  const requests = () => itemsOf(all(), TRACE_ID, 'RequestData');
  const dependencies = () => itemsOf(all(), TRACE_ID, 'RemoteDependencyData');
  const traces = () => itemsOf(all(), TRACE_ID, 'MessageData');
  const webhookCalls = () => dependencies().filter((item) => item.data?.baseData.name === `POST ${PATH}`);
  const deliverRequests = () => requests().filter((item) => item.data?.baseData.name === 'deliver');

  beforeAll(async () => {
    ingestion = await startFakeIngestion();
    pipeline = await startPipeline({
      settings: {
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        NODE_EXTRA_CA_CERTS: ingestion.certPath,
        // Short export intervals, so the test does not wait a minute for metrics.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
      },
    });
    pipeline.receiver.respond(PATH, [500, 200]);
    await pipeline.createWebhookSubscription(TOPIC, SUBSCRIPTION, PATH, { retryPolicy: { schedule: [1] } });
    // A second, separate journey: a subscriber that answers 410 is dead-lettered at once.
    pipeline.receiver.respond(GONE_PATH, [410]);
    await pipeline.createWebhookSubscription(GONE_TOPIC, GONE_SUBSCRIPTION, GONE_PATH);
    const goneKey = await pipeline.publish(GONE_TOPIC, {
      id: 'tel-2',
      source: '/telemetry',
      type: 'order.created',
    });
    const response = await pipeline.api(
      'POST',
      `/topics/${TOPIC}/events`,
      JSON.stringify({
        specversion: '1.0',
        id: 'tel-1',
        source: '/telemetry',
        type: 'order.created',
        data: { n: 1 },
      }),
      { 'content-type': 'application/cloudevents+json', traceparent: CALLER_TRACEPARENT },
    );
    expect(response.status).toBe(202);
    eventKey = (response.json.accepted as Array<{ eventKey: string }>)[0]?.eventKey ?? '';
    const delivery = await waitFor(
      'the delivery to succeed on its second attempt',
      async () => {
        const found = (await pipeline.eventStatus(eventKey)).deliveries?.[0];
        return found?.status === 'succeeded' && found;
      },
      { timeoutMs: 30_000 },
    );
    deliveryId = (delivery as unknown as { deliveryId: string }).deliveryId;
    await waitFor(
      'the 410 delivery to be dead-lettered',
      async () => (await pipeline.eventStatus(goneKey)).deliveries?.[0]?.status === 'deadLettered',
    );
    // Spans are exported in batches after they end: wait for the last one of the journey.
    await waitFor(
      'both deliver requests, webhook calls and the last log line to be exported',
      () =>
        deliverRequests().length === 2 &&
        webhookCalls().length === 2 &&
        traces().some((item) => item.data?.baseData.message === 'delivery succeeded'),
    );
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
    await ingestion?.close();
  });

  it('records the publish request in the caller trace, with its result code and event key', () => {
    const publish = requests().find((item) => item.data?.baseData.name === 'POST /api/topics/{topic}/events');
    expect(publish?.data?.baseData).toMatchObject({ responseCode: '202', success: true });
    expect(propertiesOf(publish)).toMatchObject({ eventKey, topic: TOPIC });
    expect(publish?.tags?.['ai.cloud.role']).toBe('switchyard');
  });

  it('continues the trace in route and in both deliver executions, with the pipeline properties', () => {
    const route = requests().find((item) => item.data?.baseData.name === 'route');
    expect(route?.data?.baseData.success).toBe(true);
    expect(propertiesOf(route)).toMatchObject({ eventKey, topic: TOPIC, matchedSubscriptions: '1' });

    const byAttempt = deliverRequests().sort(
      (a, b) => Number(propertiesOf(a).attempt) - Number(propertiesOf(b).attempt),
    );
    expect(byAttempt.map((item) => propertiesOf(item))).toEqual([
      expect.objectContaining({
        eventKey,
        topic: TOPIC,
        subscription: SUBSCRIPTION,
        deliveryId,
        attempt: '1',
        outcome: 'retrying',
        httpStatus: '500',
      }),
      expect.objectContaining({
        eventKey,
        topic: TOPIC,
        subscription: SUBSCRIPTION,
        deliveryId,
        attempt: '2',
        outcome: 'succeeded',
        httpStatus: '200',
      }),
    ]);
    // The function ran fine both times: a webhook's 500 is the subscriber's failure, not ours.
    expect(byAttempt.map((item) => item.data?.baseData.success)).toEqual([true, true]);
  });

  it('records both webhook calls as dependencies (500 then 200) and sends traceparent to the subscriber', () => {
    const calls = webhookCalls().sort(
      (a, b) => Number(propertiesOf(a).attempt) - Number(propertiesOf(b).attempt),
    );
    expect(
      calls.map((call) => [
        call.data?.baseData.type,
        call.data?.baseData.resultCode,
        call.data?.baseData.success,
      ]),
    ).toEqual([
      ['Http', '500', false],
      ['Http', '200', true],
    ]);
    for (const call of calls) {
      expect(propertiesOf(call)).toMatchObject({ eventKey, subscription: SUBSCRIPTION, deliveryId });
      expect(Number(call.data?.baseData.duration?.split(':').at(-1))).toBeGreaterThanOrEqual(0);
    }

    // What the subscriber got: the same trace, with the dependency of that attempt as parent.
    const received = pipeline.receiver.received(PATH).map((request) => request.headers.traceparent);
    expect(received).toEqual(calls.map((call) => `00-${TRACE_ID}-${call.data?.baseData.id}-01`));
  });

  it('records the Service Bus sends and Cosmos DB calls of the journey as dependencies', () => {
    const sends = dependencies()
      .filter((item) => item.data?.baseData.name === 'ServiceBusSender.send')
      .map((item) => propertiesOf(item)['messaging.destination.name']);
    expect(sends).toEqual(expect.arrayContaining(['ingress', 'deliveries']));
    // The retry after the 500 is a scheduled send of attempt 2.
    const retry = dependencies().find((item) => item.data?.baseData.name === 'ServiceBusSender.schedule');
    expect(propertiesOf(retry)).toMatchObject({
      'messaging.destination.name': 'deliveries',
      deliveryId,
      attempt: '2',
    });
    const cosmos = dependencies().filter((item) =>
      /^(GET|POST|PATCH) \/dbs\/switchyard\/colls\/(events|deliveries)/.test(item.data?.baseData.name ?? ''),
    );
    expect(cosmos.length).toBeGreaterThan(0);
    expect(itemsOf(all(), TRACE_ID, 'ExceptionData')).toEqual([]);
  });

  it('writes the log lines of each step into the same trace, with the pipeline properties', () => {
    const lines = traces().map((item) => [item.data?.baseData.message, propertiesOf(item)] as const);
    const line = (start: string) => lines.find(([message]) => message?.startsWith(start))?.[1];
    expect(line('event accepted')).toMatchObject({ eventKey, topic: TOPIC });
    expect(line('routed event to 1 subscription(s)')).toMatchObject({ eventKey, topic: TOPIC });
    expect(line('delivery attempt failed (HTTP 500)')).toMatchObject({
      eventKey,
      subscription: SUBSCRIPTION,
      deliveryId,
      attempt: '1',
      httpStatus: '500',
    });
    expect(line('delivery succeeded')).toMatchObject({
      eventKey,
      subscription: SUBSCRIPTION,
      deliveryId,
      attempt: '2',
      httpStatus: '200',
    });
  });

  it('exports the pipeline metrics by topic and subscription, matching what the trace says', async () => {
    const delivery = { topic: TOPIC, subscription: SUBSCRIPTION };
    const end = (name: string, dimensions: Record<string, string>) => metricTotal(all(), name, dimensions);
    await waitFor(
      'the metrics of the journey',
      () => end('switchyard.delivery.end_to_end.duration', delivery).count === 1,
      { timeoutMs: 10_000 },
    );

    expect(end('switchyard.events.published', { topic: TOPIC })).toEqual({ sum: 1, count: 1 });
    expect(end('switchyard.events.matched', { topic: TOPIC })).toEqual({ sum: 1, count: 1 });
    expect(end('switchyard.deliveries.retried', delivery).sum).toBe(1);
    expect(end('switchyard.deliveries.succeeded', delivery).sum).toBe(1);
    expect(end('switchyard.deliveries.dead_lettered', delivery).sum).toBe(0);
    expect(end('switchyard.delivery.attempt.duration', { ...delivery, outcome: 'retrying' }).count).toBe(1);
    expect(end('switchyard.delivery.attempt.duration', { ...delivery, outcome: 'succeeded' }).count).toBe(1);

    // Metrics are aggregates without an operation; the same numbers are on the trace's log lines.
    const succeeded = traces().find((item) => item.data?.baseData.message === 'delivery succeeded');
    const endToEnd = end('switchyard.delivery.end_to_end.duration', delivery).sum;
    expect(endToEnd).toBe(Number(propertiesOf(succeeded).endToEndMs));
    // Publish -> success spans the 1 s retry gap (schedule [1] with +/-20% jitter).
    expect(endToEnd).toBeGreaterThanOrEqual(750);
    const attemptDurations = end('switchyard.delivery.attempt.duration', delivery).sum;
    const loggedDurations = traces()
      .filter((item) => propertiesOf(item).durationMs !== undefined)
      .reduce((sum, item) => sum + Number(propertiesOf(item).durationMs), 0);
    expect(attemptDurations).toBe(loggedDurations);

    // Dead letters are counted by the reason the pipeline gives them.
    await waitFor(
      'the dead-letter metric',
      () =>
        end('switchyard.deliveries.dead_lettered', {
          topic: GONE_TOPIC,
          subscription: GONE_SUBSCRIPTION,
          reason: 'EndpointGone',
        }).sum === 1,
    );
    expect(
      end('switchyard.delivery.attempt.duration', { topic: GONE_TOPIC, outcome: 'deadLettered' }).count,
    ).toBe(1);
    expect(end('switchyard.deliveries.succeeded', { topic: GONE_TOPIC }).sum).toBe(0);

    await waitFor('queue depth for the three queues', () =>
      ['ingress', 'deliveries', 'deadletters'].every(
        (queue) => end('switchyard.queue.depth', { queue }).count > 0,
      ),
    );
  });

  it('records an error thrown out of a function as an exception of its failed request', async () => {
    const poisonTrace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const sender = pipeline.serviceBusClient.createSender('deliveries');
    try {
      await sender.sendMessages({
        body: { not: 'a delivery' },
        contentType: 'application/json',
        applicationProperties: { traceparent: `00-${poisonTrace}-1122334455667788-01` },
      });
    } finally {
      await sender.close();
    }
    const exception = await ingestion.waitFor(
      (item) => item.data?.baseType === 'ExceptionData' && item.tags?.['ai.operation.id'] === poisonTrace,
    );
    expect(exception.data?.baseData.exceptions?.[0]?.message).toContain('not a delivery message');
    const failed = await ingestion.waitFor(
      (item) => item.data?.baseType === 'RequestData' && item.tags?.['ai.operation.id'] === poisonTrace,
    );
    expect(failed.data?.baseData).toMatchObject({ name: 'deliver', success: false });
  });

  it('reports no telemetry trouble in the host log', () => {
    expect(pipeline.host.logs()).not.toMatch(
      /telemetry disabled|AzureMonitor|Failed to export|ECONNREFUSED/i,
    );
  });
});
