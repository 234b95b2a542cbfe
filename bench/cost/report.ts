import { type Machine, table } from '../pipeline/report';
import type { OperationTally } from '../../local/servicebus-emulator';
import type { BlobTally } from './blobCounter';
import type { CosmosRequestKind, CosmosTally } from './cosmosCounter';
import type { ExecutionTally } from './functionLog';
import { ASSUMPTIONS, estimateRu } from './ruModel';

/** What one measured phase did, counted at the services (see bench/cost.ts). */
export interface CostPhase {
  phase: string;
  fanOut: number;
  publishMode: string;
  /** Size of each published event (structured JSON). */
  eventBytes: number;
  events: number;
  deliveries: number;
  /** First publish to quiet again, in seconds. */
  seconds: number;
  serviceBus: OperationTally;
  cosmos: CosmosTally;
  blob: BlobTally;
  executions: ExecutionTally;
}

export interface CostReport {
  startedAt: string;
  machine: Machine & { loadAverageAtEnd: number[] };
  phases: CostPhase[];
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** Service Bus operations that duplicate another count: a transfer carries the messages counted as sends. */
const NOT_BILLED_TWICE = new Set(['send transfer']);

/** The per-event figures of one phase, for the table and docs/cost.md. */
export function perEvent(phase: CostPhase) {
  const per = (count: number) => count / Math.max(1, phase.events);
  const serviceBus = Object.entries(phase.serviceBus).flatMap(([entity, operations]) =>
    Object.entries(operations).map(([operation, count]) => ({
      entity,
      operation,
      count,
      perEvent: per(count),
    })),
  );
  const serviceBusOperations = per(
    serviceBus.filter((row) => !NOT_BILLED_TWICE.has(row.operation)).reduce((sum, row) => sum + row.count, 0),
  );
  const cosmos = Object.entries(phase.cosmos).flatMap(([container, kinds]) =>
    Object.entries(kinds).flatMap(([kind, statuses]) =>
      Object.entries(statuses).map(([status, tally]) => {
        // The server answers creates, replaces, patches and reads with the whole document.
        const documentBytes = (tally.responseBytes || tally.requestBytes) / Math.max(1, tally.count);
        const ruEach = estimateRu(kind as CosmosRequestKind, status, documentBytes);
        return {
          container,
          kind,
          status,
          count: tally.count,
          perEvent: per(tally.count),
          documentBytes,
          ruEach,
          ruPerEvent: per(tally.count) * ruEach,
        };
      }),
    ),
  );
  const blob = Object.entries(phase.blob).flatMap(([container, operations]) =>
    Object.entries(operations).map(([operation, count]) => ({
      container,
      operation,
      count,
      perEvent: per(count),
    })),
  );
  const executions = Object.entries(phase.executions).map(([name, tally]) => {
    const count = tally.succeeded + tally.failed;
    return {
      name,
      count,
      failed: tally.failed,
      perEvent: per(count),
      meanMs: tally.totalMs / Math.max(1, count),
    };
  });
  return {
    serviceBus,
    serviceBusOperations,
    cosmos,
    ruPerEvent: cosmos.reduce((sum, row) => sum + row.ruPerEvent, 0),
    cosmosRequests: per(cosmos.reduce((sum, row) => sum + row.count, 0)),
    blob,
    blobOperations: per(blob.reduce((sum, row) => sum + row.count, 0)),
    executions,
    executionsPerEvent: per(executions.reduce((sum, row) => sum + row.count, 0)),
  };
}

function formatPhase(phase: CostPhase): string {
  const figures = perEvent(phase);
  const title =
    `${phase.phase}: ${phase.events} events of ${Math.round(phase.eventBytes / 1024)} KB accepted, ` +
    `${phase.deliveries} webhook deliveries, ${fixed(phase.seconds, 1)} s (${phase.publishMode})`;
  const serviceBus = table(
    ['Service Bus (entity: operation)', 'count', 'per event'],
    [
      ...figures.serviceBus.map((row) => [
        `${row.entity}: ${row.operation}`,
        String(row.count),
        fixed(row.perEvent),
      ]),
      ['operations per event (messages, not transfers)', '', fixed(figures.serviceBusOperations)],
    ],
  );
  const cosmos = table(
    ['Cosmos DB (container kind answer)', 'count', 'per event', 'doc bytes', 'est. RU each', 'RU/event'],
    [
      ...figures.cosmos.map((row) => [
        `${row.container} ${row.kind} ${row.status}`,
        String(row.count),
        fixed(row.perEvent),
        String(Math.round(row.documentBytes)),
        fixed(row.ruEach),
        fixed(row.ruPerEvent),
      ]),
      [
        'requests / estimated RU per event',
        '',
        fixed(figures.cosmosRequests),
        '',
        '',
        fixed(figures.ruPerEvent),
      ],
    ],
  );
  const executions = table(
    ['Function executions', 'count', 'failed', 'per event', 'mean ms (local)'],
    [
      ...figures.executions.map((row) => [
        row.name,
        String(row.count),
        String(row.failed),
        fixed(row.perEvent),
        fixed(row.meanMs, 1),
      ]),
      ['executions per event', '', '', fixed(figures.executionsPerEvent), ''],
    ],
  );
  const blob =
    figures.blob.length === 0
      ? 'Blob storage: no requests'
      : table(
          ['Blob storage (container: operation)', 'count', 'per event'],
          figures.blob.map((row) => [
            `${row.container}: ${row.operation}`,
            String(row.count),
            fixed(row.perEvent),
          ]),
        );
  return [title, serviceBus, cosmos, executions, blob].join('\n\n');
}

export function formatCostReport(report: CostReport): string {
  const { machine } = report;
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  return [
    `Cost counts, ${report.startedAt}: ${machine.cpus} cores, Node ${machine.node} on ${machine.platform}, ` +
      `load average ${load(machine.loadAverageAtStart)} at start, ${load(machine.loadAverageAtEnd)} at the end`,
    ...report.phases.map(formatPhase),
    [
      'RU estimates (the local server charges nothing real):',
      ...ASSUMPTIONS.map((line) => `  - ${line}`),
    ].join('\n'),
  ].join('\n\n');
}
