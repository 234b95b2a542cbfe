import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { UsageError } from '../exitCodes';
import { table } from '../format';
import { parseJson, readText } from '../input';
import { Session } from '../session';

interface PublishFlags {
  type?: string;
  source?: string;
  subject?: string;
  id?: string;
  time?: string;
  data?: string;
  dataContentType?: string;
  file?: string;
}

/** The API takes at most this many events per batch request; larger files go in several. */
const BATCH_LIMIT = 100;

/** The CloudEvent the flags describe (specversion 1.0, a random id unless --id). Pure but for the id. */
export function eventFromFlags(flags: PublishFlags): Record<string, unknown> {
  if (!flags.type || !flags.source) throw new UsageError('--type and --source are both needed (or --file)');
  let data: unknown;
  if (flags.data !== undefined) {
    try {
      data = JSON.parse(flags.data) as unknown;
    } catch {
      throw new UsageError(`--data must be JSON (a string is quoted: --data '"text"'), not ${flags.data}`);
    }
  }
  return {
    specversion: '1.0',
    id: flags.id ?? randomUUID(),
    source: flags.source,
    type: flags.type,
    ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
    ...(flags.time !== undefined ? { time: flags.time } : {}),
    ...(data !== undefined
      ? { datacontenttype: flags.dataContentType ?? 'application/json', data }
      : flags.dataContentType !== undefined
        ? { datacontenttype: flags.dataContentType }
        : {}),
  };
}

/** A file holds one CloudEvent (an object) or a batch (an array). Pure. */
export function eventsFromDocument(document: unknown, path: string): { events: unknown[]; batch: boolean } {
  if (Array.isArray(document)) {
    if (document.length === 0) throw new UsageError(`${path} is an empty batch`);
    return { events: document, batch: true };
  }
  if (document !== null && typeof document === 'object') return { events: [document], batch: false };
  throw new UsageError(`${path} must hold a CloudEvent (a JSON object) or a batch (a JSON array of them)`);
}

interface Accepted {
  id: string;
  source: string;
  eventKey: string;
}

async function readEvents(flags: PublishFlags): Promise<{ events: unknown[]; batch: boolean }> {
  const fromFlags = [flags.type, flags.source, flags.subject, flags.id, flags.time, flags.data].some(
    (flag) => flag !== undefined,
  );
  if (flags.file !== undefined && fromFlags) {
    throw new UsageError('give the event either by flags or with --file, not both');
  }
  if (fromFlags) return { events: [eventFromFlags(flags)], batch: false };
  const path = flags.file ?? (process.stdin.isTTY ? undefined : '-');
  if (path === undefined) {
    throw new UsageError('nothing to publish: give --type and --source, --file FILE, or pipe the event in');
  }
  return eventsFromDocument(parseJson(await readText(path), path), path);
}

export function registerPublish(program: Command): void {
  program
    .command('publish')
    .description(
      'publish CloudEvents to a topic: one from flags, or one or a batch (a JSON array, sent 100 at a time) from a file or standard input; prints each event key',
    )
    .argument('<topic>', 'the topic')
    .option('--type <type>', 'the event type, e.g. order.created')
    .option('--source <source>', 'the event source (a URI reference), e.g. /shop')
    .option('--subject <subject>', 'the event subject, e.g. /orders/1')
    .option('--id <id>', 'the event id (default: a random UUID); source+id is accepted once')
    .option('--time <time>', 'the event time (RFC 3339)')
    .option('--data <json>', 'the event data, as JSON')
    .option('--data-content-type <type>', 'datacontenttype (default application/json with --data)')
    .option('-f, --file <path>', "a CloudEvent or an array of them in JSON; '-' for standard input")
    .addHelpText(
      'after',
      `
Examples:
  switchyard publish orders --type order.created --source /shop --subject /orders/1 --data '{"total":120}'
  switchyard publish orders --file batch.json
  cat event.json | switchyard publish orders --json`,
    )
    .action(async (topic: string, flags: PublishFlags, command: Command) => {
      const session = Session.of(command);
      const { events, batch } = await readEvents(flags);
      const client = await session.client();
      const accepted: Accepted[] = [];
      const print = () =>
        session.print({ accepted }, (value) =>
          table(
            ['event key', 'id', 'source'],
            value.accepted.map((event) => [event.eventKey, event.id, event.source]),
          ),
        );
      for (let start = 0; start < events.length; start += BATCH_LIMIT) {
        const chunk = events.slice(start, start + BATCH_LIMIT);
        try {
          const result = await session.body(
            client.POST('/topics/{topic}/events', {
              params: { path: { topic } },
              body: (batch ? chunk : chunk[0]) as never,
              headers: {
                'content-type': batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
              },
            }),
          );
          accepted.push(...result.accepted);
        } catch (error) {
          // The batches before this one are in: say which, then why this one was not.
          if (accepted.length > 0) {
            print();
            session.note(
              `accepted the first ${accepted.length} of ${events.length} events; events ${start + 1}-${start + chunk.length} failed:`,
            );
          }
          throw error;
        }
      }
      print();
    });
}
