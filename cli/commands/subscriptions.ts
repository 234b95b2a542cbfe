import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { UsageError } from '../exitCodes';
import { keyValues, table } from '../format';
import { parseJsonOrYaml, readText } from '../input';
import { fetchPages, noteMore, withPaging, type PageFlags } from '../paging';
import { Session } from '../session';

/** What the list shows of a subscription; the generated API types must fit it. */
interface SubscriptionSummary {
  name: string;
  status: string;
  disabledReason?: string;
  destination: { endpointType: string; endpointUrl?: string; queueName?: string; topicName?: string };
  filter: { includedEventTypes?: string[]; subjectBeginsWith?: string; advancedFilters?: unknown[] };
  updatedAt: string;
}

/** Where a subscription delivers, in a few words. Pure. */
export function destinationText(destination: SubscriptionSummary['destination']): string {
  const where = destination.endpointUrl ?? destination.queueName ?? destination.topicName ?? '';
  return `${destination.endpointType} ${where}`.trim();
}

/** A subscription's filter, in a few words. Pure. */
export function filterText(filter: SubscriptionSummary['filter']): string {
  const parts = [
    ...(filter.includedEventTypes?.length ? [`types ${filter.includedEventTypes.join(',')}`] : []),
    ...(filter.subjectBeginsWith ? [`subject ${filter.subjectBeginsWith}*`] : []),
    ...(filter.advancedFilters?.length ? [`${filter.advancedFilters.length} advanced`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'every event';
}

export function subscriptionsTable(items: SubscriptionSummary[]): string[] {
  return table(
    ['name', 'status', 'destination', 'filter', 'updated'],
    items.map((item) => [
      item.name,
      item.disabledReason ? `${item.status} (${item.disabledReason})` : item.status,
      destinationText(item.destination),
      filterText(item.filter),
      item.updatedAt,
    ]),
  );
}

function addressArguments(command: Command): Command {
  return command.argument('<topic>', 'the topic').argument('<name>', 'the subscription');
}

export function registerSubscriptions(program: Command): void {
  const subscriptions = program
    .command('subscriptions')
    .description("a topic's subscriptions: list, show, put (create or replace), delete");

  withPaging(
    subscriptions.command('list').description("a topic's subscriptions").argument('<topic>', 'the topic'),
  ).action(async (topic: string, flags: PageFlags, command: Command) => {
    const session = Session.of(command);
    const client = await session.client();
    const page = await fetchPages(flags, (query) =>
      session.body(client.GET('/topics/{topic}/subscriptions', { params: { path: { topic }, query } })),
    );
    session.print(page, (value) => subscriptionsTable(value.items));
    noteMore(session, page);
  });

  addressArguments(
    subscriptions
      .command('show')
      .description(
        'one subscription as YAML (header values masked as null; what it shows can be put back as it is), with its ETag',
      ),
  ).action(async (topic: string, name: string, _flags: unknown, command: Command) => {
    const session = Session.of(command);
    const client = await session.client();
    const { data, response } = await session.ok(
      client.GET('/topics/{topic}/subscriptions/{name}', { params: { path: { topic, name } } }),
    );
    const etag = response.headers.get('etag');
    session.print({ ...data, ...(etag ? { etag } : {}) }, () => [
      ...(etag ? [`# etag: ${etag}`] : []),
      toYaml(data).trimEnd(),
    ]);
  });

  addressArguments(
    subscriptions
      .command('put')
      .description(
        'create or replace a subscription from a JSON or YAML file; prints the signing secret when it creates one (shown only then)',
      ),
  )
    .requiredOption('-f, --file <path>', "the subscription in JSON or YAML; '-' for standard input")
    .option('--if-match <etag>', 'replace only if it is unchanged since this ETag (412 otherwise)')
    .option('--create-only', 'create only: 412 if it exists (If-None-Match: *)')
    .addHelpText(
      'after',
      `
Example (orders-billing.yaml):
  destination:
    endpointType: WebHook
    endpointUrl: https://billing.example.com/hooks
  filter:
    includedEventTypes: [order.created]

  switchyard subscriptions put orders billing --file orders-billing.yaml`,
    )
    .action(
      async (
        topic: string,
        name: string,
        flags: { file: string; ifMatch?: string; createOnly?: boolean },
        command: Command,
      ) => {
        if (flags.ifMatch !== undefined && flags.createOnly) {
          throw new UsageError('--if-match and --create-only exclude each other');
        }
        const session = Session.of(command);
        const body = parseJsonOrYaml(await readText(flags.file), flags.file);
        const client = await session.client();
        const { data, response } = await session.ok(
          client.PUT('/topics/{topic}/subscriptions/{name}', {
            params: { path: { topic, name } },
            body: body as never,
            headers: {
              ...(flags.ifMatch !== undefined ? { 'if-match': flags.ifMatch } : {}),
              ...(flags.createOnly ? { 'if-none-match': '*' } : {}),
            },
          }),
        );
        const created = response.status === 201;
        session.print(data, (view) => {
          const secret =
            view && typeof view === 'object' && 'signingSecret' in view ? view.signingSecret : undefined;
          return [
            `${created ? 'created' : 'replaced'} subscription ${name} on topic ${topic}`,
            ...keyValues([
              ['ETag', response.headers.get('etag')],
              ['Signing secret', secret !== undefined ? `${String(secret)}   (shown only now: keep it)` : ''],
            ]),
          ];
        });
      },
    );

  addressArguments(subscriptions.command('delete').description('delete a subscription'))
    .option('--if-match <etag>', 'delete only if it is unchanged since this ETag (412 otherwise)')
    .action(async (topic: string, name: string, flags: { ifMatch?: string }, command: Command) => {
      const session = Session.of(command);
      const client = await session.client();
      await session.ok(
        client.DELETE('/topics/{topic}/subscriptions/{name}', {
          params: { path: { topic, name } },
          ...(flags.ifMatch !== undefined ? { headers: { 'if-match': flags.ifMatch } } : {}),
        }),
      );
      session.print({ deleted: { topic, name } }, () => [`deleted subscription ${name} on topic ${topic}`]);
    });
}
