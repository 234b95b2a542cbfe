/**
 * `npm run bench:low-load`: where the CPU per message goes at low and high rates (a benchmark,
 * not a test). The bare SDK path, send -> receive -> complete of 1 KB messages, at fixed rates
 * (open loop): the Service Bus emulator and a receiver with the dev host's settings
 * (bench/lowLoad/consumer.ts) each run in a process of their own, fresh for each rate, and the
 * sender in this one. Prints CPU milliseconds per message of the receiver and the emulator, and
 * with --profile writes CPU profiles of both over the measured window and prints where their
 * time went. Also prints, per message, the TCP frames, writes and reads of both (how many frames
 * leave per write, how often each process wakes up to read).
 * docs/performance.md has the findings.
 *
 *   --rates 30,1500   messages per second to measure (default 30,1500)
 *   --seconds S       length of each measured run (default 20)
 *   --profile         CPU profiles to .local/bench/low-load-<timestamp>/
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceBusClient } from '@azure/service-bus';
import { type ReadyChild, startReadyChild } from '../local/stack/readyChild';
import { summarizeProfile, type ProfileSummary } from './lowLoad/summarizeProfile';
import type { SocketTraffic } from './lowLoad/socketTraffic';
import { cpuSnapshot } from './pipeline/processCpu';
import { errorStack } from '../shared/errors/errorMessage';

/** A queue of the local stack that no function consumes. */
const QUEUE = 'sample-destination';
const BODY = Buffer.alloc(1024, 'x');
const WARM_UP_SECONDS = 3;
const MAX_SENDS_IN_FLIGHT = 64;

interface RateResult {
  rate: number;
  sent: number;
  completed: number;
  seconds: number;
  cpuMsPerMessage: Record<string, number>;
  /** TCP frames, writes and reads per message over the measured window, per process. */
  trafficPerMessage: Record<string, SocketTraffic>;
  loadAverage: number[];
  profiles: Record<string, ProfileSummary>;
}

function part<Ready>(script: string, args: string[]) {
  return startReadyChild<Ready>(join(__dirname, 'lowLoad', script), args, {
    label: script,
    echoStderr: true,
    killAfterMs: 10_000,
  });
}

/** Sends `request` over IPC and resolves with the first reply that has `key`. */
function ask(child: ReadyChild<unknown>, request: unknown, key: string): Promise<Record<string, unknown>> {
  return new Promise((done) => {
    const onReply = (reply: unknown) => {
      if (typeof reply === 'object' && reply !== null && key in reply) {
        child.process.off('message', onReply);
        done(reply as Record<string, unknown>);
      }
    };
    child.process.on('message', onReply);
    child.process.send(request as string);
  });
}

/** The child's TCP traffic so far (socketTraffic.ts). */
async function trafficOf(child: ReadyChild<unknown>): Promise<SocketTraffic> {
  return (await ask(child, 'traffic', 'traffic')).traffic as SocketTraffic;
}

async function completedBy(consumer: ReadyChild<unknown>): Promise<number> {
  return Number((await ask(consumer, 'count', 'completed')).completed);
}

/** Sends `rate` messages per second for `seconds`, each due at its own time (open loop). */
async function sendAtRate(
  sender: ReturnType<ServiceBusClient['createSender']>,
  rate: number,
  seconds: number,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (sent < due && inFlight < MAX_SENDS_IN_FLIGHT) {
      sent += 1;
      inFlight += 1;
      const send = sender.sendMessages({ body: BODY }).finally(() => {
        inFlight -= 1;
        pending.delete(send);
      });
      pending.add(send);
    }
    const nextDueMs = (sent / rate) * 1000 - (performance.now() - started);
    await new Promise((wake) => setTimeout(wake, Math.max(1, Math.min(nextDueMs, 10))));
  }
  await Promise.all(pending);
  return sent;
}

async function measureRate(rate: number, seconds: number, outDir: string | undefined): Promise<RateResult> {
  const emulator = await part<{ connectionString: string }>('emulator.ts', []);
  const children: Array<ReadyChild<unknown>> = [emulator];
  const client = new ServiceBusClient(emulator.ready.connectionString);
  try {
    const consumer = await part<unknown>('consumer.ts', [emulator.ready.connectionString, QUEUE]);
    children.push(consumer);
    const sender = client.createSender(QUEUE);
    const warmUp = await sendAtRate(sender, rate, WARM_UP_SECONDS);
    const processes = { receiver: consumer.pid, emulator: emulator.pid };
    const parts = { receiver: consumer, emulator };
    // Profiled over the measured window only (the profiler's own cost is in the CPU figures).
    if (outDir)
      await Promise.all(Object.values(parts).map((child) => ask(child, 'profile-start', 'profiling')));
    const trafficBefore = await Promise.all(Object.values(parts).map(trafficOf));
    const before = cpuSnapshot(processes);
    const started = performance.now();
    const sent = await sendAtRate(sender, rate, seconds);
    const deadline = Date.now() + 30_000;
    let completed = 0;
    while ((completed = (await completedBy(consumer)) - warmUp) < sent && Date.now() < deadline) {
      await new Promise((wake) => setTimeout(wake, 50));
    }
    const elapsed = (performance.now() - started) / 1000;
    const after = cpuSnapshot(processes);
    const trafficAfter = await Promise.all(Object.values(parts).map(trafficOf));
    const profiles: Record<string, ProfileSummary> = {};
    if (outDir) {
      for (const [label, child] of Object.entries(parts)) {
        const file = join(outDir, `rate-${rate}-${label}.cpuprofile`);
        await ask(child, { profileStop: file }, 'profileWritten');
        profiles[label] = summarizeProfile(file);
      }
    }
    await sender.close();
    const cpuMsPerMessage = Object.fromEntries(
      Object.keys(processes).map((label) => [label, ((after[label]! - before[label]!) * 1000) / sent]),
    );
    const trafficPerMessage = Object.fromEntries(
      Object.keys(parts).map((label, i) => {
        const [from, to] = [trafficBefore[i]!, trafficAfter[i]!];
        const perMessage = (key: keyof SocketTraffic) => (to[key] - from[key]) / sent;
        return [
          label,
          { writes: perMessage('writes'), frames: perMessage('frames'), reads: perMessage('reads') },
        ];
      }),
    );
    return {
      rate,
      sent,
      completed,
      seconds: elapsed,
      cpuMsPerMessage,
      trafficPerMessage,
      loadAverage: loadavg(),
      profiles,
    };
  } finally {
    await client.close();
    // SIGTERM: each part closes and exits, and node writes its profile.
    await Promise.allSettled(children.reverse().map((child) => child.stop()));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '30,1500' },
      seconds: { type: 'string', default: '20' },
      profile: { type: 'boolean', default: false },
    },
  });
  const rates = values.rates.split(',').map(Number);
  const seconds = Number(values.seconds);
  if (rates.some((rate) => !(rate > 0)) || !(seconds > 0))
    throw new Error('--rates and --seconds must be positive');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = values.profile ? resolve(__dirname, '..', '.local/bench', `low-load-${stamp}`) : undefined;
  if (outDir) mkdirSync(outDir, { recursive: true });
  const results: RateResult[] = [];
  for (const rate of rates) {
    process.stderr.write(
      `[low-load] ${rate} msg/s for ${seconds} s (load average ${loadavg()[0]?.toFixed(1)})\n`,
    );
    results.push(await measureRate(rate, seconds, outDir));
  }
  console.log(
    `SDK send -> receive -> complete, 1 KB, ${new Date().toISOString()}, Node ${process.versions.node}`,
  );
  for (const r of results) {
    console.log(
      `${r.rate} msg/s: ${r.completed}/${r.sent} completed in ${r.seconds.toFixed(1)} s; CPU ms per message: ` +
        `receiver ${r.cpuMsPerMessage.receiver?.toFixed(2)}, emulator ${r.cpuMsPerMessage.emulator?.toFixed(2)}; ` +
        `load average ${r.loadAverage.map((n) => n.toFixed(1)).join(' ')}`,
    );
    console.log(
      `  TCP per message: ${Object.entries(r.trafficPerMessage)
        .map(
          ([label, t]) =>
            `${label} ${t.frames.toFixed(2)} frames in ${t.writes.toFixed(2)} writes, ${t.reads.toFixed(2)} reads`,
        )
        .join('; ')}`,
    );
    for (const [label, summary] of Object.entries(r.profiles)) {
      const perMessage = (ms: number) => ((ms / r.sent) * 1000).toFixed(0);
      console.log(
        `  ${label} profile: ${summary.busyMs.toFixed(0)} ms busy (whole run); us per message by origin:`,
      );
      console.log(`    ${summary.byOrigin.map(([origin, ms]) => `${origin} ${perMessage(ms)}`).join(', ')}`);
      console.log('    top functions (self ms, whole run):');
      for (const [name, ms] of summary.topFunctions)
        console.log(`      ${ms.toFixed(0).padStart(6)}  ${name}`);
    }
  }
  if (outDir) {
    writeFileSync(join(outDir, 'summary.json'), JSON.stringify(results, null, 2));
    console.log(`Profiles and summary in ${outDir}`);
  }
}

main().catch((error: unknown) => {
  console.error(errorStack(error));
  process.exit(1);
});
