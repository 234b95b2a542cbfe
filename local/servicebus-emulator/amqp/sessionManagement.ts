import { BrokerError } from '../broker/brokerError';
import type { ResolvedAddress } from '../broker/entityRegistry';
import { SessionStore } from '../broker/sessionStore';
import { wireText } from './wireText';

/**
 * `$management` operations of ServiceBusSessionReceiver (renew-session-lock, get/set-session-state)
 * and the session checks of peek / receive-by-sequence-number / update-disposition.
 * `associated-link-name` names the receiving link that accepted the session: only it may act.
 */

type Body = Record<string, unknown>;
type Properties = Record<string, unknown>;
type SessionOperation = (
  body: Body,
  target: ResolvedAddress,
  properties: Properties,
) => { status?: number; body?: unknown };

/** The request's session-id, or undefined when it names none. */
export function requestedSessionId(body: Body): string | undefined {
  const id = body['session-id'];
  return wireText(id);
}

/** The receiving link the request acts for, when the client says. */
export function associatedLink(properties: Properties): string | undefined {
  const name = properties['associated-link-name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** The session store behind a management link; InvalidOperation for an entity without sessions. */
export function sessionStoreOf(target: ResolvedAddress): SessionStore {
  if (target.store instanceof SessionStore) return target.store;
  throw new BrokerError(
    'InvalidOperation',
    `'${target.path}' does not require sessions: session operations are not allowed on it.`,
  );
}

function sessionIdFrom(body: Body): string {
  const id = requestedSessionId(body);
  if (id === undefined) throw new BrokerError('InvalidOperation', 'The request names no session-id.');
  return id;
}

function stateBuffer(value: unknown): Buffer | undefined {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(wireText(value) ?? '');
}

export const sessionOperations: Record<string, SessionOperation> = {
  'com.microsoft:renew-session-lock': (body, target, properties) => {
    const lockedUntil = sessionStoreOf(target).renewSessionLock(
      sessionIdFrom(body),
      associatedLink(properties),
    );
    return { body: { expiration: new Date(lockedUntil) } };
  },
  'com.microsoft:get-session-state': (body, target, properties) => {
    const state = sessionStoreOf(target).getSessionState(sessionIdFrom(body), associatedLink(properties));
    return { body: { 'session-state': state ?? null } };
  },
  'com.microsoft:set-session-state': (body, target, properties) => {
    sessionStoreOf(target).setSessionState(
      sessionIdFrom(body),
      stateBuffer(body['session-state']),
      associatedLink(properties),
    );
    return {};
  },
};
