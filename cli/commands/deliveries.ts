import { Option, type Command } from 'commander';
import { deliveriesTable } from '../format';
import { fetchPages, noteMore, withPaging, type PageFlags } from '../paging';
import { Session } from '../session';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'retrying', 'deadLettered'] as const;

export function registerDeliveries(program: Command): void {
  withPaging(
    program
      .command('deliveries')
      .description("a subscription's recent deliveries, newest first")
      .argument('<topic>', 'the topic')
      .argument('<subscription>', 'the subscription')
      .addOption(
        new Option('--status <status>', 'only deliveries in this status').choices(DELIVERY_STATUSES),
      ),
  ).action(
    async (
      topic: string,
      name: string,
      flags: PageFlags & { status?: (typeof DELIVERY_STATUSES)[number] },
      command: Command,
    ) => {
      const session = Session.of(command);
      const client = await session.client();
      const page = await fetchPages(flags, (query) =>
        session.body(
          client.GET('/topics/{topic}/subscriptions/{name}/deliveries', {
            params: {
              path: { topic, name },
              query: { ...query, ...(flags.status !== undefined ? { status: flags.status } : {}) },
            },
          }),
        ),
      );
      session.print(page, (value) => deliveriesTable(value.items));
      noteMore(session, page);
    },
  );
}
