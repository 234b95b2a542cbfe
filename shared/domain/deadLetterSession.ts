/**
 * The `deadletters` queue is a session queue: each subscription's dead letters form one session,
 * so redrive can take exactly that subscription's messages (and remove them, which clears the
 * "dead letters waiting" alert) while other subscriptions' stay untouched.
 */
export function deadLetterSessionId(topic: string, subscription: string): string {
  return `${topic}/${subscription}`;
}

/** Ingress messages that were no valid event: kept apart from every subscription's session. */
export const REJECTED_INGRESS_SESSION_ID = '$ingress';
