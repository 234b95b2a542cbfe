import type { Command } from 'commander';
import { formatEventStatus } from '../format';
import { Session } from '../session';

export function registerEvents(program: Command): void {
  const events = program.command('events').description('what happened to an event');
  events
    .command('show')
    .description(
      "the event, the subscriptions it matched, and each delivery's attempts as a timeline (time, outcome, HTTP status, duration, error), with the reason when dead-lettered",
    )
    .argument('<eventKey>', 'the key publish printed for the event')
    .addHelpText('after', '\nExample:\n  switchyard events show 3f2a9c0d41e84b7c9e1f0a2b3c4d5e6f')
    .action(async (eventKey: string, _flags: unknown, command: Command) => {
      const session = Session.of(command);
      const client = await session.client();
      const status = await session.body(client.GET('/events/{eventKey}', { params: { path: { eventKey } } }));
      session.print(status, formatEventStatus);
    });
}
