import type { Command } from 'commander';
import { deadLettersTable, table, truncate, cell } from '../format';
import { fetchPages, noteMore, withPaging, type PageFlags } from '../paging';
import { positiveInteger, Session } from '../session';

/** The API redrives at most this many per call. */
const MAX_REDRIVE = 1000;

interface PoisonSummary {
  queue: string;
  eventKey?: string;
  attempt?: number;
  enqueuedTimeUtc?: string;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export function poisonTable(poison: PoisonSummary[]): string[] {
  return table(
    ['queue', 'event key', 'attempt', 'enqueued', 'reason', 'description'],
    poison.map((message) => [
      message.queue,
      message.eventKey ?? '-',
      message.attempt ?? '-',
      message.enqueuedTimeUtc ?? '-',
      message.deadLetterReason ?? '-',
      truncate(cell(message.deadLetterErrorDescription ?? ''), 80),
    ]),
  );
}

function redriveMax(value: string | undefined): { max: number } | Record<string, never> {
  return value === undefined ? {} : { max: positiveInteger(value, '--max', MAX_REDRIVE) };
}

export function registerDeadLetters(program: Command): void {
  const deadletters = program
    .command('deadletters')
    .description("a subscription's dead letters: list them, redrive them");

  withPaging(
    deadletters
      .command('list')
      .description(
        'dead-lettered deliveries (oldest first) with reason and attempts, and poison messages Service Bus dead-lettered after repeated crashes',
      )
      .argument('<topic>', 'the topic')
      .argument('<subscription>', 'the subscription'),
  ).action(async (topic: string, name: string, flags: PageFlags, command: Command) => {
    const session = Session.of(command);
    const client = await session.client();
    let poison: PoisonSummary[] = [];
    const page = await fetchPages(flags, async (query) => {
      const result = await session.body(
        client.GET('/topics/{topic}/subscriptions/{name}/deadletters', {
          params: { path: { topic, name }, query },
        }),
      );
      poison = result.poison;
      return result;
    });
    session.print({ ...page, poison }, (value) => [
      ...(value.items.length > 0 ? deadLettersTable(value.items) : ['no dead-lettered delivery']),
      ...(value.poison.length > 0
        ? ['', `poison messages (${value.poison.length}):`, ...poisonTable(value.poison)]
        : []),
    ]);
    noteMore(session, page);
  });

  deadletters
    .command('redrive')
    .description('re-enqueue dead letters (oldest first) as fresh attempts, with a fresh attempt budget')
    .argument('<topic>', 'the topic')
    .argument('<subscription>', 'the subscription')
    .option('--max <n>', `at most this many, 1-${MAX_REDRIVE} (the API's default is 100)`)
    .action(async (topic: string, name: string, flags: { max?: string }, command: Command) => {
      const session = Session.of(command);
      const body = redriveMax(flags.max);
      const client = await session.client();
      const result = await session.body(
        client.POST('/topics/{topic}/subscriptions/{name}/deadletters/redrive', {
          params: { path: { topic, name } },
          body,
        }),
      );
      session.print(result, (value) => [
        `redriven ${value.redriven} dead letter${value.redriven === 1 ? '' : 's'}`,
        ...value.deliveryIds.map((id) => `  ${cell(id)}`),
      ]);
    });
}

interface IngressDeadLetterSummary {
  sequenceNumber: string;
  reason: string;
  description: string;
  topic?: string;
  messageId?: string;
  deadLetteredAt?: string;
}

export function ingressDeadLettersTable(items: IngressDeadLetterSummary[]): string[] {
  return table(
    ['sequence', 'dead-lettered at', 'topic', 'message id', 'reason', 'description'],
    items.map((item) => [
      item.sequenceNumber,
      item.deadLetteredAt ?? '-',
      item.topic ?? '-',
      item.messageId ?? '-',
      item.reason,
      truncate(cell(item.description), 80),
    ]),
  );
}

export function registerIngressDeadLetters(program: Command): void {
  const ingress = program
    .command('ingress-deadletters')
    .description(
      'Service Bus messages refused at ingress: list them, redrive those that carry their original',
    );

  withPaging(
    ingress
      .command('list')
      .description(
        'refused ingress messages, oldest first: reason, description and what identifies the original',
      ),
  ).action(async (flags: PageFlags, command: Command) => {
    const session = Session.of(command);
    const client = await session.client();
    const page = await fetchPages(flags, (query) =>
      session.body(client.GET('/ingress/deadletters', { params: { query } })),
    );
    session.print(page, (value) =>
      value.items.length > 0 ? ingressDeadLettersTable(value.items) : ['no ingress dead letter'],
    );
    noteMore(session, page);
  });

  ingress
    .command('redrive')
    .description(
      'send ingress dead letters that carry their original message back to ingress; those rejected as no valid event are kept',
    )
    .option('--max <n>', `at most this many, 1-${MAX_REDRIVE} (the API's default is 100)`)
    .action(async (flags: { max?: string }, command: Command) => {
      const session = Session.of(command);
      const body = redriveMax(flags.max);
      const client = await session.client();
      const result = await session.body(client.POST('/ingress/deadletters/redrive', { body }));
      session.print(result, (value) => [`redriven ${value.redriven}, kept ${value.kept}`]);
    });
}
