/**
 * The chaos gate (`npm run test:chaos`; not part of `npm test`): publishes a few thousand events
 * to subscriptions with different filters whose webhooks fail a share of the time, while the dev
 * host is killed (kill -9 of its process group) and restarted at random moments and Cosmos DB
 * refuses connections for a while. Then checks the promise of ARCHITECTURE.md: every accepted
 * event delivered to every matching subscription or dead-lettered with a reason, duplicates only
 * with the same webhook-id, no record stuck, nothing in a native dead-letter sub-queue without
 * a record. Prints one summary line with the figures, and one with the duplicates by cause
 * (outage, kill or other: duplicates.ts, docs/operations.md).
 *
 * Cosmos DB outage: the Cosmos DB server listens on a Unix socket only, and its account document
 * (from which the SDK discovers the endpoint it really talks to) names the port of a TCP proxy
 * in this process (cosmosProxy.ts); so no request can reach it but through the proxy, which
 * refuses connections (stops listening, resets open ones) for the outage. The run checks that
 * the host's /health reports Cosmos DB down during an outage and counts the proxy's traffic.
 *
 * Service Bus pause (CHAOS_SERVICEBUS_PAUSES): the emulator's process is stopped (SIGSTOP:
 * connections stay open, nothing answers) and continued, while publishing goes on. Every publish
 * begun during a pause must be answered, 202 or 503 with Retry-After naming Service Bus, within
 * publish's bound for Service Bus (plus slack for a busy machine): never a hang, never a 500.
 *
 * Settings (environment): CHAOS_EVENTS (2000), CHAOS_BATCH (20), CHAOS_PUBLISH_SECONDS (100),
 * CHAOS_KILLS (4), CHAOS_OUTAGES (seconds of each Cosmos DB refusal, "15,10"),
 * CHAOS_SERVICEBUS_PAUSES (seconds of each Service Bus pause, none by default), CHAOS_SEED,
 * CHAOS_DRAIN_SECONDS (most time to wait for the pipeline to settle, 300), CHAOS_STALL_SECONDS
 * (settled = no progress for this long, 65: above the 60 s message lock a killed host leaves).
 * Outages and pauses start inside the publishing window when it is long enough to hold them.
 */
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import Long from 'long';
import { PUBLISH_DEPENDENCY_TIMEOUT_MS } from '../../shared/app/dependencies';
import { QUEUES, SETTINGS } from '../../shared/config/names';
import { getFreePort } from '../../local/stack/checkPorts';
import {
  devHostEnvironment,
  startSeparateBacking,
  type SeparateBacking,
} from '../../local/stack/separateParts';
import { startChaosReceiver, type ChaosReceiver } from './chaosReceiver';
import { startCosmosProxy, type CosmosProxy } from './cosmosProxy';
import { DevHostSupervisor } from './devHostSupervisor';
import { classifyDuplicates, formatDuplicateReport, type RepeatedReceipt, type Window } from './duplicates';
import {
  CHAOS_SUBSCRIPTIONS,
  CHAOS_TOPIC,
  chaosEvents,
  expectedFor,
  seededRandom,
  spreadMoments,
  type ChaosEvent,
} from './scenario';

function setting(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`);
  return value;
}

const EVENTS = setting('CHAOS_EVENTS', 2000);
const BATCH = Math.max(1, setting('CHAOS_BATCH', 20));
const PUBLISH_MS = setting('CHAOS_PUBLISH_SECONDS', 100) * 1000;
const KILLS = setting('CHAOS_KILLS', 4);
function secondsList(name: string, fallback: string): number[] {
  const values = (process.env[name] ?? fallback)
    .split(',')
    .filter((value) => value.trim() !== '')
    .map((value) => Number(value) * 1000);
  if (values.some((value) => !Number.isFinite(value) || value < 0))
    throw new Error(`${name} must be a comma-separated list of seconds`);
  return values;
}

const OUTAGES_MS = secondsList('CHAOS_OUTAGES', '15,10');
const PAUSES_MS = secondsList('CHAOS_SERVICEBUS_PAUSES', '');
const SEED = setting('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31));
const DRAIN_MS = setting('CHAOS_DRAIN_SECONDS', 300) * 1000;
const STALL_MS = setting('CHAOS_STALL_SECONDS', 65) * 1000;
const FUNCTION_KEY = 'chaos-test-key';
/** A retrying record whose next attempt is this far in the past is stuck, not just late. */
const STUCK_AFTER_MS = 30_000;
/** How much later than publish's bound a 503 may arrive during a pause: a busy machine's scheduling. */
const PAUSE_ANSWER_SLACK_MS = 5_000;
/** Events looked up one by one at most (each is a query the Cosmos DB server answers slowly). */
const LOOKUP_LIMIT = 100;
const RETRY_POLICY = { maxDeliveryAttempts: 4, schedule: [1, 1, 2] };
const FAILURES = { serverError: 0.1, rejected: 0.01, hang: 0.004, reset: 0.01 };

/** How long a batch keeps retrying after its moment before the publisher gives up on it. */
const PUBLISH_GIVE_UP_MS = 180_000;
/**
 * The run's own bound, from the settings above: starting the stack, publishing (a batch may retry
 * past the window), outages that outlast it, the settling bound plus one stall, and the checks
 * (listings and look-ups against a slow Cosmos DB server). At least 20 minutes, so the default
 * run keeps its old bound; a long run gets the time its settings ask for. This is what a hung run
 * is stopped by: the test bounds its own waits.
 */
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const TIME_BUDGET_MS = Math.max(
  20 * 60_000,
  5 * 60_000 +
    PUBLISH_MS +
    PUBLISH_GIVE_UP_MS +
    sum(OUTAGES_MS) +
    sum(PAUSES_MS) +
    DRAIN_MS +
    STALL_MS +
    10 * 60_000,
);
jest.setTimeout(TIME_BUDGET_MS);

interface DeliveryView {
  deliveryId: string;
  subscription: string;
  status: string;
  nextAttemptAt?: string;
  deadLetter?: { reason?: string; description?: string };
}
interface EventView {
  matchedSubscriptions: string[];
  deliveries: DeliveryView[];
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      // After one failure the others take nothing new, so nothing runs on after the test.
      while (next < items.length && !failed) {
        const index = next++;
        try {
          results[index] = await fn(items[index] as T);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
  return results;
}

describe('chaos: nothing accepted is lost while the host dies and Cosmos DB refuses', () => {
  // Separate streams, so the events and the chaos moments of a seed stay the same whatever the timing.
  const eventRandom = seededRandom(SEED);
  const chaosRandom = seededRandom(SEED + 1);
  // Its own stream too, so a seed's kills and outages stay the same with or without pauses.
  const pauseRandom = seededRandom(SEED + 3);
  let dataDir: string;
  let hostLog: WriteStream;
  let proxy: CosmosProxy | undefined;
  let backing: SeparateBacking | undefined;
  let receiver: ChaosReceiver | undefined;
  let host: DevHostSupervisor | undefined;
  let passed = false;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'switchyard-chaos-'));
    hostLog = createWriteStream(join(dataDir, 'devhost.log'));
    const socketPath = join(dataDir, 'cosmos.sock');
    proxy = await startCosmosProxy(await getFreePort(), socketPath);
    backing = await startSeparateBacking({ cosmos: { socketPath, advertisePort: proxy.port }, dataDir });
    receiver = await startChaosReceiver(FAILURES, seededRandom(SEED + 2));
    host = new DevHostSupervisor(
      await getFreePort(),
      devHostEnvironment(backing, {
        [SETTINGS.adminKey]: FUNCTION_KEY,
        [SETTINGS.subscriptionCacheSeconds]: '1',
      }),
      hostLog,
    );
    await host.start();
    for (const subscription of CHAOS_SUBSCRIPTIONS) {
      const response = await api('PUT', `/topics/${CHAOS_TOPIC}/subscriptions/${subscription.name}`, {
        destination: { endpointType: 'WebHook', endpointUrl: receiver.url(subscription.name) },
        filter: subscription.filter,
        retryPolicy: RETRY_POLICY,
      });
      if (response.status !== 201 && response.status !== 200) {
        throw new Error(
          `PUT subscription ${subscription.name} answered ${response.status}: ${response.text}`,
        );
      }
    }
  }, 180_000);

  afterAll(async () => {
    // A run that failed during a pause must not leave the emulator stopped.
    if (backing && backing.pids.serviceBus > 0) signalServiceBus(backing, 'SIGCONT');
    await host?.stop().catch(() => undefined);
    await receiver?.close().catch(() => undefined);
    await backing?.stop().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await new Promise<void>((resolve) => (hostLog ? hostLog.end(() => resolve()) : resolve()));
    if (passed) rmSync(dataDir, { recursive: true, force: true });
    else if (dataDir)
      process.stdout.write(`chaos: the dev host's log is kept in ${join(dataDir, 'devhost.log')}\n`);
  });

  async function api(method: string, path: string, body?: unknown, timeoutMs = 20_000) {
    if (!host) throw new Error('no dev host');
    const response = await fetch(`${host.url}/api${path}`, {
      method,
      headers: {
        'x-functions-key': FUNCTION_KEY,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, text };
  }

  /** GET with a few tries: after the chaos the host runs, but a single request may still fail. */
  async function getJson<T>(path: string): Promise<{ status: number; json?: T; text: string }> {
    let last: unknown;
    for (let tries = 0; tries < 5; tries += 1) {
      try {
        const response = await api('GET', path);
        if (response.status === 503) throw new Error(`503: ${response.text.slice(0, 200)}`);
        return { ...response, ...(response.status === 200 ? { json: JSON.parse(response.text) as T } : {}) };
      } catch (error) {
        last = error;
        await delay(500 * (tries + 1));
      }
    }
    throw new Error(`GET ${path} kept failing: ${last instanceof Error ? last.message : String(last)}`);
  }

  /** Every item of a paged listing of the API. */
  async function listAll<T>(path: string, query = ''): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const params = [query, 'maxItems=1000', token ? `continuationToken=${encodeURIComponent(token)}` : '']
        .filter(Boolean)
        .join('&');
      const page = await getJson<{ items: T[]; continuationToken?: string }>(`${path}?${params}`);
      items.push(...(page.json?.items ?? []));
      token = page.json?.continuationToken;
    } while (token);
    return items;
  }

  /** Dead-lettered deliveries with a reason, by subscription + eventKey, from the API. */
  async function listDeadLettered(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const subscription of CHAOS_SUBSCRIPTIONS) {
      const path = `/topics/${CHAOS_TOPIC}/subscriptions/${subscription.name}/deadletters`;
      for (const item of await listAll<{ eventKey: string; deadLetter?: { reason?: string } }>(path)) {
        if (item.deadLetter?.reason)
          found.set(`${subscription.name}\n${item.eventKey}`, item.deadLetter.reason);
      }
    }
    return found;
  }

  it('delivers or dead-letters every accepted event for every matching subscription', async () => {
    if (!host || !receiver || !proxy || !backing) throw new Error('the stack did not start');
    const started = Date.now();
    const runId = `chaos-${SEED}`;
    const events = chaosEvents(EVENTS, runId, eventRandom);
    const eventKeys = new Map<string, string>();
    let publishRetries = 0;
    /** Whether Service Bus is paused now, and what publishes begun during a pause got. */
    let paused = false;
    const duringPause = {
      requests: 0,
      accepted: 0,
      refused: 0,
      otherAnswers: 0,
      noAnswer: 0,
      late: 0,
      maxMs: 0,
    };
    const pauseFindings: string[] = [];

    // Publishing: batches spread evenly over the window, each retried until it is accepted (the
    // same source+id is idempotent), as a careful publisher would while the host restarts.
    const batches: ChaosEvent[][] = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(events.slice(i, i + BATCH));
    const publishing = mapLimit(
      batches.map((batch, index) => ({ batch, at: started + (index * PUBLISH_MS) / batches.length })),
      8,
      async ({ batch, at }) => {
        if (at > Date.now()) await delay(at - Date.now());
        const giveUpAt = Date.now() + PUBLISH_GIVE_UP_MS;
        for (;;) {
          const begunInPause = paused;
          const begunAt = Date.now();
          // What a publish begun during a pause got: 202, or 503 + Retry-After naming Service Bus, in time.
          const notePauseAnswer = (
            answer: { status: number; retryAfter: string | null; text: string } | undefined,
          ) => {
            if (!begunInPause) return;
            const waitedMs = Date.now() - begunAt;
            duringPause.requests += 1;
            duringPause.maxMs = Math.max(duringPause.maxMs, waitedMs);
            if (waitedMs > PUBLISH_DEPENDENCY_TIMEOUT_MS + PAUSE_ANSWER_SLACK_MS) duringPause.late += 1;
            if (!answer) duringPause.noAnswer += 1;
            else if (answer.status === 202) duringPause.accepted += 1;
            else if (
              answer.status === 503 &&
              answer.retryAfter !== null &&
              answer.text.includes('Service Bus')
            )
              duringPause.refused += 1;
            else {
              duringPause.otherAnswers += 1;
              if (pauseFindings.length < 3)
                pauseFindings.push(
                  `${answer.status} retry-after=${answer.retryAfter}: ${answer.text.slice(0, 200)}`,
                );
            }
          };
          try {
            const response = await fetch(`${host!.url}/api/topics/${CHAOS_TOPIC}/events`, {
              method: 'POST',
              headers: {
                'content-type': 'application/cloudevents-batch+json',
                'x-functions-key': FUNCTION_KEY,
              },
              body: JSON.stringify(batch),
              signal: AbortSignal.timeout(30_000),
            });
            const text = await response.text();
            notePauseAnswer({
              status: response.status,
              retryAfter: response.headers.get('retry-after'),
              text,
            });
            if (response.status === 202) {
              for (const accepted of (
                JSON.parse(text) as { accepted: Array<{ id: string; eventKey: string }> }
              ).accepted) {
                eventKeys.set(accepted.id, accepted.eventKey);
              }
              return;
            }
            if (response.status < 500)
              throw new Error(`publish answered ${response.status}: ${text.slice(0, 300)}`);
          } catch (error) {
            if (error instanceof Error && /publish answered 4/.test(error.message)) throw error;
            // No answer at all (the host killed, or the client's 30 s timeout).
            if (!(error instanceof Error && /publish answered/.test(error.message)))
              notePauseAnswer(undefined);
          }
          publishRetries += 1;
          if (Date.now() > giveUpAt) return;
          await delay(250);
        }
      },
    );

    // The chaos: kills and outages on two timelines of their own, so they may overlap.
    // Outages hit a running host: no kill from shortly before an outage (a restart takes a few
    // seconds) to its end, or the host would be down for most of it.
    const longest = Math.max(0, ...OUTAGES_MS);
    const longestPause = Math.max(0, ...PAUSES_MS);
    const pauseMoments = spreadMoments(
      PAUSES_MS.length,
      10_000,
      Math.max(11_000, PUBLISH_MS - longestPause - 5_000),
      longestPause + 12_000,
      pauseRandom,
    );
    const outageMoments = spreadMoments(
      OUTAGES_MS.length,
      10_000,
      Math.max(11_000, PUBLISH_MS - longest - 5_000),
      longest + 12_000,
      chaosRandom,
    );
    const duringOutage = (moment: number) =>
      outageMoments.some(
        (start, i) => moment > start - 10_000 && moment < start + (OUTAGES_MS[i] ?? 0) + 2_000,
      );
    const killMoments = spreadMoments(
      KILLS,
      3_000,
      Math.max(4_000, PUBLISH_MS - 5_000),
      6_000,
      chaosRandom,
      (moment) =>
        !duringOutage(moment) &&
        !pauseMoments.some(
          (start, i) => moment > start - 10_000 && moment < start + (PAUSES_MS[i] ?? 0) + 2_000,
        ),
    );
    let outageMs = 0;
    const outageWindows: Window[] = [];
    let outagesSeenByHealth = 0;
    const killing = (async () => {
      for (const moment of killMoments) {
        const wait = started + moment - Date.now();
        if (wait > 0) await delay(wait);
        await host.killAndRestart();
      }
    })();
    const refusing = (async () => {
      for (const [i, moment] of outageMoments.entries()) {
        const length = OUTAGES_MS[i] ?? 0;
        const wait = started + moment - Date.now();
        if (wait > 0) await delay(wait);
        const from = Date.now();
        hostLog.write(
          `\n[chaos] ${new Date().toISOString()} Cosmos DB refuses connections for ${length} ms\n`,
        );
        await proxy.refuse();
        // Proof that the SDK cannot route around the proxy: the host itself sees Cosmos DB down
        // (asked until it says so; the host may be restarting at this moment).
        let seen = false;
        while (!seen && Date.now() < from + length - 300) {
          try {
            const health = await fetch(`${host.url}/api/health`, { signal: AbortSignal.timeout(3_000) });
            const body = (await health.json()) as { dependencies?: { cosmosDb?: { status?: string } } };
            seen = health.status === 503 && body.dependencies?.cosmosDb?.status === 'unhealthy';
          } catch {
            // Not answering: restarting.
          }
          if (!seen) await delay(500);
        }
        if (seen) outagesSeenByHealth += 1;
        const rest = from + length - Date.now();
        if (rest > 0) await delay(rest);
        await proxy.resume();
        outageWindows.push({ fromMs: from, toMs: Date.now() });
        outageMs += Date.now() - from;
        hostLog.write(`\n[chaos] ${new Date().toISOString()} Cosmos DB answers again\n`);
      }
    })();
    let pauseMs = 0;
    let healthRefusalsInPause = 0;
    const pausing = (async () => {
      for (const [i, moment] of pauseMoments.entries()) {
        const length = PAUSES_MS[i] ?? 0;
        const wait = started + moment - Date.now();
        if (wait > 0) await delay(wait);
        const from = Date.now();
        hostLog.write(
          `\n[chaos] ${new Date().toISOString()} Service Bus paused (SIGSTOP) for ${length} ms\n`,
        );
        signalServiceBus(backing, 'SIGSTOP');
        paused = true;
        try {
          // The host's /health must say so too, with Retry-After (asked once the bound has passed).
          await delay(Math.min(length / 2, PUBLISH_DEPENDENCY_TIMEOUT_MS));
          try {
            const health = await fetch(`${host.url}/api/health`, { signal: AbortSignal.timeout(15_000) });
            if (health.status === 503 && health.headers.get('retry-after') !== null)
              healthRefusalsInPause += 1;
          } catch {
            // Not answering: restarting (kills keep away from pauses) or hung; counted as not seen.
          }
          const rest = from + length - Date.now();
          if (rest > 0) await delay(rest);
        } finally {
          paused = false;
          signalServiceBus(backing, 'SIGCONT');
        }
        pauseMs += Date.now() - from;
        hostLog.write(`\n[chaos] ${new Date().toISOString()} Service Bus continued\n`);
      }
    })();
    // Each timeline runs to its end even when another fails, so none outlives the test.
    const outcomes = await Promise.allSettled([publishing, killing, refusing, pausing]);
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    const chaosEndedAt = Date.now();

    const accepted = events.filter((event) => eventKeys.has(event.id));
    const pairs = accepted.flatMap((event) =>
      expectedFor(event).map((subscription) => ({ event, subscription })),
    );
    const deliveredOk = (event: ChaosEvent, subscription: string) =>
      (receiver!.receipts(subscription, event.id)?.okByWebhookId.size ?? 0) > 0;

    // Settling: until every pair is delivered or dead-lettered, or nothing moves any more. The
    // dead letters come from each subscription's dead-letter listing: a few queries a round,
    // where looking up thousands of events one by one would take the Cosmos DB server minutes.
    let deadLettered = new Map<string, string>();
    const pairKey = (subscription: string, eventId: string) =>
      `${subscription}\n${eventKeys.get(eventId) ?? ''}`;
    const openPairs = () =>
      pairs.filter(
        ({ event, subscription }) =>
          !deliveredOk(event, subscription) && !deadLettered.has(pairKey(subscription, event.id)),
      );
    let lastProgressAt = Date.now();
    let lastMark = -1;
    for (;;) {
      deadLettered = await listDeadLettered();
      const stillOpen = openPairs().length;
      if (stillOpen === 0) break;
      // Still moving while a message waits in ingress or deliveries (a scheduled retry or
      // re-delivery counts): a long back-off must not pass for a settled pipeline.
      const queued = await queuedMessages(backing.serviceBusConnectionString);
      const mark = receiver.totalRequests() * 1e6 + (pairs.length - stillOpen);
      if (mark !== lastMark || queued > 0) {
        lastMark = mark;
        lastProgressAt = Date.now();
      }
      if (Date.now() - lastProgressAt > STALL_MS || Date.now() - chaosEndedAt > DRAIN_MS) break;
      await delay(3_000);
    }
    const settledAt = Date.now();

    // What counts. Pairs still open are lost; their events are looked up (a bounded number)
    // to tell "no record at all" from "recorded but never settled".
    const lostPairs = openPairs();
    const lost = lostPairs.length;
    const lostEvents = [...new Set(lostPairs.map(({ event }) => event))];
    const views = new Map<string, EventView | undefined>();
    const lookUp = async (eventKey: string) => {
      if (!views.has(eventKey)) views.set(eventKey, (await getJson<EventView>(`/events/${eventKey}`)).json);
      return views.get(eventKey);
    };
    const lookedUp = lostEvents.slice(0, LOOKUP_LIMIT);
    await mapLimit(lookedUp, 4, (event) => lookUp(eventKeys.get(event.id)!));
    const missingEvents = lookedUp.filter((event) => !views.get(eventKeys.get(event.id)!)).length;
    let fanOutMismatches = 0;
    for (const event of lookedUp) {
      const view = views.get(eventKeys.get(event.id)!);
      if (view && [...view.matchedSubscriptions].sort().join(',') !== expectedFor(event).sort().join(','))
        fanOutMismatches += 1;
    }
    const delivered = pairs.filter(({ event, subscription }) => deliveredOk(event, subscription)).length;
    const deadLetters = pairs.length - delivered - lost;
    const reasons = new Map<string, number>();
    for (const { event, subscription } of pairs) {
      if (deliveredOk(event, subscription)) continue;
      const reason = deadLettered.get(pairKey(subscription, event.id));
      if (reason !== undefined) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }

    // Duplicates: a webhook-id answered 2xx more than once. Violations: two ids for one delivery.
    // Each repeat is put down to an outage around the receipt before it, or a kill in between.
    let duplicates = 0;
    let webhookIdViolations = 0;
    const repeats: RepeatedReceipt[] = [];
    for (const event of accepted) {
      for (const subscription of CHAOS_SUBSCRIPTIONS) {
        const receipts = receiver.receipts(subscription.name, event.id);
        if (!receipts) continue;
        if (receipts.webhookIds.size > 1) webhookIdViolations += 1;
        for (const count of receipts.okByWebhookId.values()) duplicates += count - 1;
        for (const times of receipts.okAtMsByWebhookId.values())
          for (let i = 1; i < times.length; i += 1)
            repeats.push({ previousOkAtMs: times[i - 1]!, atMs: times[i]! });
      }
    }
    const duplicateReport = classifyDuplicates(repeats, {
      killsAtMs: host.killedAtMs,
      outages: outageWindows,
    });
    const unexpectedReceipts = events.filter((event) =>
      CHAOS_SUBSCRIPTIONS.some(
        (subscription) => !subscription.matches(event) && receiver!.receipts(subscription.name, event.id),
      ),
    ).length;

    // Stuck records: open while nothing is left to move them.
    const now = Date.now();
    const isStuck = (delivery: DeliveryView) =>
      (delivery.status === 'pending' || delivery.status === 'retrying') &&
      (delivery.nextAttemptAt === undefined || Date.parse(delivery.nextAttemptAt) < now - STUCK_AFTER_MS);
    const stuck = new Set<string>();
    for (const subscription of CHAOS_SUBSCRIPTIONS) {
      for (const status of ['pending', 'retrying']) {
        for (const delivery of await listAll<DeliveryView>(
          `/topics/${CHAOS_TOPIC}/subscriptions/${subscription.name}/deliveries`,
          `status=${status}`,
        )) {
          if (isStuck(delivery)) stuck.add(delivery.deliveryId);
        }
      }
    }

    // Native dead-letter sub-queues: each message must have a record the API shows (a settled
    // delivery, or an ingress dead letter once GET /ingress/deadletters exists).
    const native = await nativeDeadLetters(backing.serviceBusConnectionString);
    const ingressDeadLetters = await getJson<unknown>('/ingress/deadletters').catch(() => undefined);
    const ingressListing = ingressDeadLetters?.status === 200 ? ingressDeadLetters.text : '';
    const withoutRecord: Record<string, number> = { ingress: 0, deliveries: 0, deadletters: 0 };
    let notLookedUp = 0;
    for (const [queue, messages] of Object.entries(native)) {
      for (const message of messages) {
        const properties = message.applicationProperties ?? {};
        const body = (
          typeof message.body === 'object' && message.body !== null ? message.body : {}
        ) as Record<string, unknown>;
        if (queue === QUEUES.ingress) {
          // A routed event has its record; one that never got routed must be an ingress dead letter.
          const key = String(message.messageId ?? '');
          if (key !== '' && ingressListing.includes(key)) continue;
          if (views.size >= LOOKUP_LIMIT * 2 && !views.has(key)) notLookedUp += 1;
          else if (!(key !== '' && (await lookUp(key)))) withoutRecord[queue]! += 1;
          continue;
        }
        const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');
        const eventKey = textOf(properties.eventKey) || textOf(body.eventKey);
        const deliveryId = textOf(properties.deliveryId) || textOf(body.deliveryId);
        if (views.size >= LOOKUP_LIMIT * 2 && !views.has(eventKey)) {
          notLookedUp += 1;
          continue;
        }
        const view = eventKey ? await lookUp(eventKey) : undefined;
        const record = view?.deliveries.find((delivery) => delivery.deliveryId === deliveryId);
        const settled =
          record?.status === 'succeeded' ||
          (record?.status === 'deadLettered' && !!record.deadLetter?.reason);
        if (!settled) withoutRecord[queue]! += 1;
      }
    }
    const nativeCount = (queue: string) => native[queue]?.length ?? 0;
    const orphaned = Object.values(withoutRecord).reduce((sum, n) => sum + n, 0);

    const counters = proxy.counters();
    const answers = receiver.answers();
    const seconds = (ms: number) => Math.round(ms / 1000);
    process.stdout.write(`chaos: ${formatDuplicateReport(duplicateReport)}\n`);
    process.stdout.write(
      `chaos: seed=${SEED} events=${accepted.length}/${events.length} deliveries=${pairs.length} delivered=${delivered} ` +
        `deadLettered=${deadLetters} (${[...reasons].map(([reason, n]) => `${reason || '?'}:${n}`).join(' ')}) ` +
        `kills=${host.kills} outageSeconds=${seconds(outageMs)} lost=${lost} lostEvents=${lostEvents.length} ` +
        `eventsWithoutRecord=${missingEvents}(of ${lookedUp.length} looked up) duplicates=${duplicates} webhookIdMismatches=${webhookIdViolations} stuck=${stuck.size} ` +
        `nativeDeadLetters=ingress:${nativeCount(QUEUES.ingress)},deliveries:${nativeCount(QUEUES.deliveries)},deadletters:${nativeCount(QUEUES.deadletters)} ` +
        `withoutRecord=${orphaned} fanOutMismatches=${fanOutMismatches} unexpectedReceipts=${unexpectedReceipts} ` +
        `webhookAnswers=ok:${answers.ok},500:${answers.serverError},400:${answers.rejected},hang:${answers.hang},reset:${answers.reset} ` +
        `publishRetries=${publishRetries} cosmosProxy=connections:${counters.connections},resets:${counters.resets},MiB:${((counters.bytesUp + counters.bytesDown) / 2 ** 20).toFixed(1)} ` +
        `outagesSeenByHealth=${outagesSeenByHealth}/${OUTAGES_MS.length} ` +
        (PAUSES_MS.length > 0
          ? `serviceBusPauseSeconds=${seconds(pauseMs)} pausesSeenByHealth=${healthRefusalsInPause}/${PAUSES_MS.length} ` +
            `publishesBegunInPause=${duringPause.requests} (202:${duringPause.accepted},503+Retry-After:${duringPause.refused},other:${duringPause.otherAnswers},noAnswer:${duringPause.noAnswer},` +
            `over${(PUBLISH_DEPENDENCY_TIMEOUT_MS + PAUSE_ANSWER_SLACK_MS) / 1000}s:${duringPause.late},maxMs:${duringPause.maxMs}) `
          : '') +
        `chaos=${seconds(chaosEndedAt - started)}s settle=${seconds(settledAt - chaosEndedAt)}s total=${seconds(Date.now() - started)}s\n`,
    );

    const problems: string[] = [];
    if (accepted.length !== events.length)
      problems.push(`${events.length - accepted.length} events were never accepted (publish kept failing)`);
    if (OUTAGES_MS.length > 0 && outagesSeenByHealth === 0)
      problems.push('no outage was seen by the host: Cosmos DB traffic does not go through the proxy');
    if (PAUSES_MS.length > 0) {
      if (duringPause.requests === 0) problems.push('no publish was made during a Service Bus pause');
      if (duringPause.refused === 0 && duringPause.requests > 0)
        problems.push(
          'no publish during a Service Bus pause was answered 503 with Retry-After naming Service Bus',
        );
      if (duringPause.otherAnswers > 0)
        problems.push(
          `${duringPause.otherAnswers} publishes during a pause got another answer: ${pauseFindings.join(' | ')}`,
        );
      if (duringPause.noAnswer > 0)
        problems.push(
          `${duringPause.noAnswer} publishes during a pause got no answer at all (hung or reset)`,
        );
      if (duringPause.late > 0)
        problems.push(
          `${duringPause.late} publishes during a pause were answered after more than ${(PUBLISH_DEPENDENCY_TIMEOUT_MS + PAUSE_ANSWER_SLACK_MS) / 1000} s (longest ${duringPause.maxMs} ms)`,
        );
      if (healthRefusalsInPause < PAUSES_MS.length)
        problems.push(
          `/health answered 503 with Retry-After in ${healthRefusalsInPause} of ${PAUSES_MS.length} pauses`,
        );
    }
    if (counters.connections === 0) problems.push('the Cosmos DB proxy forwarded no connection');
    if (lost > 0)
      problems.push(
        `${lost} deliveries of ${lostEvents.length} accepted events neither delivered nor dead-lettered (${missingEvents} of ${lookedUp.length} looked up have no event record)`,
      );
    if (webhookIdViolations > 0)
      problems.push(`${webhookIdViolations} deliveries arrived with more than one webhook-id`);
    if (stuck.size > 0) problems.push(`${stuck.size} delivery records stuck pending/retrying`);
    if (orphaned > 0)
      problems.push(
        `${orphaned} messages in native dead-letter sub-queues without a record (${JSON.stringify(withoutRecord)}; ${notLookedUp} more not looked up)`,
      );
    if (fanOutMismatches > 0)
      problems.push(`${fanOutMismatches} events matched other subscriptions than their filters say`);
    if (unexpectedReceipts > 0)
      problems.push(`${unexpectedReceipts} events reached a subscription whose filter excludes them`);
    expect(problems).toEqual([]);
    passed = true;
  });
});

/** Stops or continues the Service Bus emulator's process (never pid 0: that is our own group). */
function signalServiceBus(backing: SeparateBacking, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = backing.pids.serviceBus;
  if (pid <= 0) throw new Error('the Service Bus emulator has no process id');
  try {
    process.kill(pid, signal);
  } catch (error) {
    // Already gone (ESRCH) is fine when continuing; stopping a process that is gone is a failure.
    if (signal === 'SIGSTOP') throw error;
  }
}

/** Messages (active or scheduled) in the ingress and deliveries queues: 0, 1 or 2 (one peek each). */
async function queuedMessages(connectionString: string): Promise<number> {
  const client = new ServiceBusClient(connectionString);
  try {
    let found = 0;
    for (const queue of [QUEUES.ingress, QUEUES.deliveries]) {
      const receiver = client.createReceiver(queue);
      try {
        found += (await receiver.peekMessages(1, { fromSequenceNumber: Long.ZERO })).length;
      } finally {
        await receiver.close();
      }
    }
    return found;
  } finally {
    await client.close();
  }
}

/** Every message in the native dead-letter sub-queue of each queue, peeked (left in place). */
async function nativeDeadLetters(
  connectionString: string,
): Promise<Record<string, ServiceBusReceivedMessage[]>> {
  const client = new ServiceBusClient(connectionString);
  try {
    const found: Record<string, ServiceBusReceivedMessage[]> = {};
    for (const queue of [QUEUES.ingress, QUEUES.deliveries, QUEUES.deadletters]) {
      const receiver = client.createReceiver(queue, { subQueueType: 'deadLetter' });
      try {
        const messages: ServiceBusReceivedMessage[] = [];
        let from = Long.ZERO;
        for (;;) {
          const page = await receiver.peekMessages(250, { fromSequenceNumber: from });
          if (page.length === 0) break;
          messages.push(...page);
          const last = page[page.length - 1]?.sequenceNumber;
          if (!last) break;
          from = Long.fromValue(last).add(1);
        }
        found[queue] = messages;
      } finally {
        await receiver.close();
      }
    }
    return found;
  } finally {
    await client.close();
  }
}
