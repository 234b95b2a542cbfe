/**
 * `npm run bench:floor`: the wire floor of the pipeline on this machine (a benchmark, not a test).
 * Runs only the network operations Switchyard performs per fan-out-1 event, through the same SDKs
 * against the same local Service Bus emulator and Cosmos DB server, with the best batching
 * Switchyard uses (batch publish of 20, group commit of sends and creates), and nothing else:
 * bench/floor/wireOnly.ts stands in for the function app. Prints deliveries/s, publish -> webhook
 * latency and the CPU milliseconds per event of each process, and from those the most events/s
 * the machine's cores could carry if they did nothing but this. `npm run bench` measures the
 * same floor at the start of its run and prints the pipeline's ratio to it.
 *
 *   --events N        events in the measured run (default 3000)
 *   --batch-size B    events per publish request (default 20)
 *   --in-flight C     publish requests in flight (default 4)
 *   --max-concurrent-calls M   messages each receiver handles at once (default: host.json's
 *                     extensions.serviceBus.maxConcurrentCalls, as the function app runs)
 */
import { parseArgs } from 'node:util';
import { measureFloor } from './floor/measureFloor';
import { hostServiceBusOptions } from './pipeline/hostConcurrency';
import { errorMessage } from '../shared/errors/errorMessage';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '3000' },
      'batch-size': { type: 'string', default: '20' },
      'in-flight': { type: 'string', default: '4' },
      'max-concurrent-calls': { type: 'string', default: String(hostServiceBusOptions().maxConcurrentCalls) },
    },
  });
  const events = Number(values.events);
  const batchSize = Number(values['batch-size']);
  const inFlight = Number(values['in-flight']);
  const maxConcurrentCalls = Number(values['max-concurrent-calls']);
  for (const [name, value] of Object.entries({ events, batchSize, inFlight, maxConcurrentCalls })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  }
  const floor = await measureFloor({
    events,
    batchSize,
    inFlight,
    maxConcurrentCalls,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(
    `Wire floor of the fan-out-1 pipeline, ${new Date().toISOString()}, ${floor.cores} CPUs, Node ${process.versions.node}`,
  );
  console.log(
    `Per event: 1/${batchSize} HTTP publish, 2 Service Bus sends (group commit), 2 receive + complete,`,
  );
  console.log(
    '2 Cosmos DB creates (bulk group commit), 1 webhook POST; no Functions, validation, signing or telemetry.',
  );
  console.log(
    `${events} events in ${floor.seconds.toFixed(1)} s: ${Math.round(floor.deliveriesPerSecond)} deliveries/s`,
  );
  console.log(
    `publish -> webhook (closed loop, queueing included): p50 ${floor.latencyMs.p50.toFixed(1)} ms, p99 ${floor.latencyMs.p99.toFixed(1)} ms`,
  );
  console.log(
    `CPU ms per event: ${Object.entries(floor.cpuMsPerEvent)
      .map(([label, ms]) => `${label} ${ms.toFixed(2)}`)
      .join(', ')}; total ${floor.cpuMsPerEventTotal.toFixed(2)}`,
  );
  console.log(
    `ceiling if ${floor.cores} cores did only this: ${Math.round((floor.cores * 1000) / floor.cpuMsPerEventTotal)} events/s`,
  );
}

void main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
