/**
 * `npm run soak -- --minutes N`: the soak benchmark (not a test). Starts the local stack with
 * every part in a process of its own (Service Bus emulator, Cosmos DB server, Azurite, dev host,
 * webhook receiver), publishes at a steady rate, and prints once a minute the resident memory
 * (VmRSS) of each process and the publish -> webhook latency percentiles of that minute; at the
 * end, each process's memory growth from minute 1. Writes the figures as JSON to
 * .local/bench/soak-<timestamp>.json.
 *
 *   --minutes N          how long to publish (default 10)
 *   --rate R             events per second (default 50)
 *   --subscriptions S    webhook subscriptions on the topic, i.e. the fan-out (default 1)
 *   --interval-seconds I how often to report (default 60)
 *
 * The Cosmos DB server keeps every record in memory (no TTL expiry), so its growth is the data,
 * not a leak; every other part should level off.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { getFreePort } from '../local/stack/checkPorts';
import { spawnDevHostProcess, waitForHealthy } from '../local/stack/devHostProcess';
import { startReadyChild } from '../local/stack/readyChild';
import { devHostEnvironment, startSeparateBacking } from '../local/stack/separateParts';
import { REPO_ROOT } from '../local/stack/stack';
import { SETTINGS } from '../shared/config/names';
import { percentile } from './pipeline/deliveryTracker';
import { benchEvent, createPublisher } from './pipeline/publisher';
import { createWebhookSubscription } from './pipeline/subscriptions';
import type { ReceiverReady, ReceiverStats } from './soak/receiverProcess';

const FUNCTION_KEY = 'soak-key';
const TOPIC = 'soak';
/** Publishes in flight at most: past this the stack is not keeping up, and we say so. */
const MAX_IN_FLIGHT = 500;

function readOptions() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string', default: '50' },
      subscriptions: { type: 'string', default: '1' },
      'interval-seconds': { type: 'string', default: '60' },
    },
  });
  const positive = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  return {
    minutes: positive('minutes'),
    rate: positive('rate'),
    subscriptions: Math.round(positive('subscriptions')),
    intervalSeconds: positive('interval-seconds'),
  };
}

/** Resident memory of a process in MiB, from /proc/<pid>/status (Linux); NaN when gone. */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

interface Growth {
  fromMinute: number;
  toMinute: number;
  byProcess: Record<string, { firstMiB: number; lastMiB: number; percent: number }>;
}

/** Each process's RSS growth between two reports; undefined without reports. */
function rssGrowth(
  from: Interval | undefined,
  to: Interval | undefined,
  processes: Record<string, number | undefined>,
): Growth | undefined {
  if (!from || !to) return undefined;
  const byProcess: Growth['byProcess'] = {};
  for (const name of Object.keys(processes)) {
    const firstMiB = from.rssMiB[name] ?? NaN;
    const lastMiB = to.rssMiB[name] ?? NaN;
    byProcess[name] = { firstMiB, lastMiB, percent: round((100 * (lastMiB - firstMiB)) / firstMiB, 1) };
  }
  return { fromMinute: from.minute, toMinute: to.minute, byProcess };
}

function printGrowth(growth: Growth | undefined): void {
  if (!growth) return;
  console.log(
    `[soak] RSS growth from minute ${growth.fromMinute} to ${growth.toMinute}: ` +
      Object.entries(growth.byProcess)
        .map(
          ([name, g]) =>
            `${name} ${g.percent >= 0 ? '+' : ''}${g.percent}% (${Math.round(g.firstMiB)} -> ${Math.round(g.lastMiB)} MiB)`,
        )
        .join(', '),
  );
}

interface Interval {
  minute: number;
  published: number;
  publishErrors: number;
  skipped: number;
  received: number;
  duplicates: number;
  /**
   * Accepted so far minus delivered so far (duplicates left out): events still in the pipeline.
   * A backlog that grows means the stack is not keeping up, and the emulator's memory then holds
   * the waiting messages: its growth is the backlog, not a leak.
   */
  backlog: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  rssMiB: Record<string, number>;
}

const round = (value: number, digits = 0) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const options = readOptions();
  const startedAt = new Date();
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    stopAll().then(
      () => process.exit(130),
      () => process.exit(130),
    );
  });

  try {
    console.error('[soak] starting the stack (each part in its own process)');
    const backing = await startSeparateBacking({ cosmos: { port: 0 }, dataDir });
    stops.push(() => backing.stop());
    const receiver = await startReadyChild<ReceiverReady>(join(__dirname, 'soak/receiverProcess.ts'), [], {
      label: 'soak receiver',
    });
    stops.push(() => receiver.stop());
    const host = spawnDevHostProcess({
      repoRoot: REPO_ROOT,
      appRoot: REPO_ROOT,
      main: 'functions/*.ts',
      port: await getFreePort(),
      env: devHostEnvironment(backing, {
        [SETTINGS.adminKey]: FUNCTION_KEY,
        [SETTINGS.subscriptionCacheSeconds]: '5',
      }),
    });
    stops.push(() => host.stop());
    await waitForHealthy(host, '/api/health', 90_000);
    const apiUrl = `${host.url}/api`;
    for (let i = 1; i <= options.subscriptions; i += 1) {
      await createWebhookSubscription(
        apiUrl,
        FUNCTION_KEY,
        TOPIC,
        `s${i}`,
        `${receiver.ready.webhookBase}/s${i}`,
      );
    }
    const processes: Record<string, number | undefined> = {
      emulator: backing.pids.serviceBus,
      cosmos: backing.pids.cosmos,
      azurite: backing.pids.azurite,
      devhost: host.pid,
      receiver: receiver.pid,
      soak: process.pid,
    };
    console.log(
      `[soak] ${options.rate} events/s to ${options.subscriptions} subscription(s) for ${options.minutes} min, ` +
        `report every ${options.intervalSeconds} s; ${availableParallelism()} cores; pids ${JSON.stringify(processes)}`,
    );

    const publisher = createPublisher([apiUrl], FUNCTION_KEY, 32);
    stops.push(() => publisher.close());
    const counts = { published: 0, errors: 0, skipped: 0, inFlight: 0 };
    const totals = { published: 0, delivered: 0 };
    const lastErrors: string[] = [];
    const intervals: Interval[] = [];
    const intervalMs = options.intervalSeconds * 1000;
    const endAt = Date.now() + options.minutes * 60_000;
    const loadStarted = Date.now();
    let n = 0;
    let nextReportAt = loadStarted + intervalMs;
    await fetch(receiver.ready.statsUrl); // starts the first interval now

    const report = async () => {
      const stats = (await (await fetch(receiver.ready.statsUrl)).json()) as ReceiverStats;
      const latencies = stats.latenciesMs;
      totals.published += counts.published;
      totals.delivered += stats.received - stats.duplicates;
      const interval: Interval = {
        minute: intervals.length + 1,
        published: counts.published,
        publishErrors: counts.errors,
        skipped: counts.skipped,
        received: stats.received,
        duplicates: stats.duplicates,
        backlog: totals.published * options.subscriptions - totals.delivered,
        latencyMs: {
          p50: round(percentile(latencies, 50)),
          p95: round(percentile(latencies, 95)),
          p99: round(percentile(latencies, 99)),
          max: round(percentile(latencies, 100)),
        },
        rssMiB: Object.fromEntries(
          Object.entries(processes).map(([name, pid]) => [name, round(rssMiB(pid), 1)]),
        ),
      };
      Object.assign(counts, { published: 0, errors: 0, skipped: 0 });
      intervals.push(interval);
      const rss = Object.entries(interval.rssMiB)
        .map(([name, mib]) => `${name} ${Math.round(mib)}`)
        .join(', ');
      const { p50, p95, p99 } = interval.latencyMs;
      console.log(
        `[soak] ${options.intervalSeconds === 60 ? 'minute' : 'interval'} ${interval.minute}: published ${interval.published}` +
          `${interval.publishErrors ? ` (${interval.publishErrors} failed)` : ''}${interval.skipped ? ` (${interval.skipped} skipped: stack behind)` : ''}, ` +
          `delivered ${interval.received}${interval.duplicates ? ` (${interval.duplicates} duplicates)` : ''}, backlog ${interval.backlog}; ` +
          `latency p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms; RSS MiB: ${rss}`,
      );
      if (lastErrors.length > 0)
        console.log(`[soak]   last publish errors: ${lastErrors.splice(0).join(' | ')}`);
    };

    // Open loop: event n goes out at start + n / rate, whatever the answers do.
    while (!stopping && Date.now() < endAt) {
      const dueAt = loadStarted + (n * 1000) / options.rate;
      if (dueAt > Date.now()) await delay(dueAt - Date.now());
      if (Date.now() >= nextReportAt) {
        nextReportAt += intervalMs;
        await report();
      }
      n += 1;
      if (counts.inFlight >= MAX_IN_FLIGHT) {
        counts.skipped += 1;
        continue;
      }
      counts.inFlight += 1;
      void publisher
        .publish(TOPIC, benchEvent('soak', n))
        .then(() => (counts.published += 1))
        .catch((error: unknown) => {
          counts.errors += 1;
          if (lastErrors.length < 3) lastErrors.push(error instanceof Error ? error.message : String(error));
        })
        .finally(() => (counts.inFlight -= 1));
    }
    if (!stopping && Date.now() >= nextReportAt - 1000) await report();

    const growth = rssGrowth(intervals[0], intervals[intervals.length - 1], processes);
    // Warm-up (V8 sizing its heap to the load, the 10-minute duplicate-detection window filling)
    // shows in the first half only; a leak goes on growing in the second.
    const secondHalf = rssGrowth(
      intervals[Math.floor((intervals.length - 1) / 2)],
      intervals[intervals.length - 1],
      processes,
    );
    printGrowth(growth);
    printGrowth(secondHalf);
    const outDir = join(resolve(__dirname, '..'), '.local/bench');
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `soak-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        { startedAt: startedAt.toISOString(), options, processes, intervals, growth, secondHalf },
        null,
        2,
      ),
    );
    console.log(`[soak] written to ${file}`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(`[soak] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
