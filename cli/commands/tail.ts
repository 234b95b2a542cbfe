import type { Command } from 'commander';
import { CliError, EXIT } from '../exitCodes';
import type { DeliveryView } from '../format';
import { fetchPages } from '../paging';
import { positiveInteger, Session } from '../session';
import { formatTailEntry, TailState } from '../tail';

/** Each poll reads this many of a subscription's newest deliveries: small, so polls stay cheap. */
const RECENT = 20;
/** Every WIDE_POLL_MS a poll reads this many newest deliveries, and as many retrying ones. */
const WINDOW = 100;
const WIDE_POLL_MS = 1_000;
/** How often the topic's subscriptions are listed again, to follow new ones. */
const SUBSCRIPTIONS_REFRESH_MS = 10_000;
/** The pause after a poll that found the API unreachable or failing, before the next. */
const UNAVAILABLE_PAUSE_MS = 1_000;

interface TailFlags {
  subscription?: string[];
  interval: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description(
      "follow a topic's deliveries live: each new attempt (time, subscription, event key, outcome, HTTP status, duration, error) and each dead letter, until Ctrl-C",
    )
    .argument('<topic>', 'the topic')
    .option(
      '-s, --subscription <name>',
      'only this subscription (repeatable; default: all of the topic, new ones included)',
      collect,
    )
    .option('--interval <ms>', 'the pause between two polls of the deliveries, in milliseconds', '100')
    .addHelpText(
      'after',
      `
It polls each subscription's ${RECENT} newest deliveries, and every second its ${WINDOW} newest and
${WINDOW} retrying ones. With --json it prints
one JSON object per line. Ctrl-C stops it (exit code 0).`,
    )
    .action(async (topic: string, flags: TailFlags, command: Command) => {
      const session = Session.of(command);
      const interval = positiveInteger(flags.interval, '--interval', 60_000);
      const client = await session.client();
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);

      const listSubscriptions = async (): Promise<string[]> => {
        if (flags.subscription) return flags.subscription;
        const page = await fetchPages({ all: true }, (query) =>
          session.body(client.GET('/topics/{topic}/subscriptions', { params: { path: { topic }, query } })),
        );
        return page.items.map((item) => item.name);
      };
      const deliveries = async (name: string, maxItems: number, status?: 'retrying') =>
        (
          await session.body(
            client.GET('/topics/{topic}/subscriptions/{name}/deliveries', {
              params: { path: { topic, name }, query: { maxItems, ...(status ? { status } : {}) } },
            }),
          )
        ).items;
      // Most polls read the few newest deliveries (new ones are created newest). A wide poll
      // now and then also catches retries of older deliveries that left that window.
      const pollOne = async (name: string, wide: boolean): Promise<DeliveryView[]> =>
        wide
          ? (await Promise.all([deliveries(name, WINDOW), deliveries(name, WINDOW, 'retrying')])).flat()
          : deliveries(name, RECENT);

      const state = new TailState();
      let subscriptions = await listSubscriptions();
      let listedAt = Date.now();
      for (const found of await Promise.all(subscriptions.map((name) => pollOne(name, true)))) {
        state.baseline(found);
      }
      let widePollAt = Date.now();
      session.note(
        `following deliveries of topic ${topic} (${subscriptions.length > 0 ? subscriptions.join(', ') : 'no subscription yet'}); Ctrl-C stops`,
      );

      while (!stop.signal.aborted) {
        await sleep(interval, stop.signal);
        if (stop.signal.aborted) break;
        try {
          if (!flags.subscription && Date.now() - listedAt >= SUBSCRIPTIONS_REFRESH_MS) {
            subscriptions = await listSubscriptions();
            // A subscription that appears now is new: everything it delivered is news.
            listedAt = Date.now();
          }
          const wide = Date.now() - widePollAt >= WIDE_POLL_MS;
          if (wide) widePollAt = Date.now();
          const polled = (await Promise.all(subscriptions.map((name) => pollOne(name, wide)))).flat();
          for (const entry of state.update(polled)) {
            process.stdout.write(
              `${session.json ? JSON.stringify({ topic, ...entry }) : formatTailEntry(entry)}\n`,
            );
          }
        } catch (error) {
          // A refused call (bad credential, deleted topic access) will not heal: stop. A failing
          // or unreachable API may come back: say so and keep following.
          if (!(error instanceof CliError) || error.exitCode !== EXIT.unavailable) throw error;
          session.note(`tail: ${error.message}; retrying`);
          await sleep(UNAVAILABLE_PAUSE_MS, stop.signal);
        }
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
}
