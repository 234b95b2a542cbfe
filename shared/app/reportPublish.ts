import type { InvocationContext } from '@azure/functions';
import type { AcceptedEvent } from '../pipeline/publish';
import { annotateActiveSpan, log } from '../telemetry';

/**
 * What publish tells the log and telemetry: one line per accepted event (so each eventKey is
 * findable in `traces`), and the event key on the request when the request carried one event.
 * Events are counted when route first records them (switchyard.events.published), which also
 * covers publishers that send to the ingress queue directly.
 */
export function reportPublished(context: InvocationContext, topic: string, accepted: AcceptedEvent[]): void {
  if (accepted.length === 1) annotateActiveSpan({ eventKey: accepted[0]?.eventKey });
  annotateActiveSpan({ eventCount: accepted.length });
  for (const event of accepted) {
    log('info', 'event accepted', { eventKey: event.eventKey, topic }, context);
  }
}
