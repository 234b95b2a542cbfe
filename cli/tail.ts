/**
 * What `tail` prints: the attempts and dead letters that appeared since the last poll. Pure:
 * it compares each poll's deliveries with what it has seen, by delivery id and attempt number.
 */
import { cell, duration, type AttemptView, type DeliveryView } from './format';

export type TailEntry =
  | {
      kind: 'attempt';
      at: string;
      subscription: string;
      eventKey: string;
      deliveryId: string;
      status: string;
      attempt: AttemptView;
    }
  | {
      kind: 'deadLettered';
      at: string;
      subscription: string;
      eventKey: string;
      deliveryId: string;
      reason: string;
      description: string;
    };

interface Seen {
  attempts: Set<number>;
  deadLetteredAt?: string;
}

export class TailState {
  private readonly seen = new Map<string, Seen>();

  /** Takes in deliveries without reporting them: what was there before the tail started. */
  baseline(deliveries: DeliveryView[]): void {
    this.update(deliveries);
  }

  /** The attempts and dead letters not seen before, oldest first. */
  update(deliveries: DeliveryView[]): TailEntry[] {
    const entries: TailEntry[] = [];
    for (const delivery of deliveries) {
      let seen = this.seen.get(delivery.deliveryId);
      if (!seen) {
        seen = { attempts: new Set() };
        this.seen.set(delivery.deliveryId, seen);
      }
      const common = {
        subscription: delivery.subscription,
        eventKey: delivery.eventKey ?? '',
        deliveryId: delivery.deliveryId,
      };
      for (const attempt of delivery.attempts) {
        if (seen.attempts.has(attempt.n)) continue;
        seen.attempts.add(attempt.n);
        entries.push({ kind: 'attempt', at: attempt.at, ...common, status: delivery.status, attempt });
      }
      const deadLetter = delivery.status === 'deadLettered' ? delivery.deadLetter : undefined;
      if (deadLetter && seen.deadLetteredAt !== deadLetter.at) {
        seen.deadLetteredAt = deadLetter.at;
        entries.push({
          kind: 'deadLettered',
          at: deadLetter.at,
          ...common,
          reason: deadLetter.reason,
          description: deadLetter.description,
        });
      }
    }
    // Attempts before the dead letter they caused, when both carry the same time.
    return entries.sort((a, b) => a.at.localeCompare(b.at) || (a.kind === 'attempt' ? -1 : 1));
  }
}

/** One line of `tail` for people. Pure. */
export function formatTailEntry(entry: TailEntry): string {
  const head = `${cell(entry.at)}  ${cell(entry.subscription)}  ${cell(entry.eventKey)}`;
  if (entry.kind === 'deadLettered') {
    return `${head}  dead-lettered: ${cell(entry.reason)}: ${cell(entry.description)}`;
  }
  const { attempt } = entry;
  const http = attempt.httpStatus !== undefined ? `HTTP ${attempt.httpStatus}` : 'no HTTP status';
  const error = attempt.error ? `  ${cell(attempt.error)}` : '';
  return `${head}  attempt ${attempt.n}  ${attempt.outcome}  ${http}  ${duration(attempt.durationMs)}${error}`;
}
