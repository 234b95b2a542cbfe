import { types, type Sender } from 'rhea';
import { BrokerError } from '../broker/brokerError';
import type { MessageStore } from '../broker/messageStore';
import type { OperationCounts } from '../broker/operationCounts';
import { SessionStore, type GrantedSession } from '../broker/sessionStore';
import type { Logger } from '../log';
import { CONDITION } from './conditions';
import { DeliveryLink } from './deliveryLink';
import { wireText } from './wireText';

/**
 * Attaching a session receiver (acceptSession / acceptNextSession). The client's source carries
 * `com.microsoft:session-filter` (an id, or null for "next available"); the answer echoes the
 * filter with the locked session id and the link property `com.microsoft:locked-until-utc`.
 * For "next available" the attach is held until a session frees up or the client's
 * `com.microsoft:timeout` passes; then it is answered with a null source and a detach with
 * `com.microsoft:timeout`, which the SDK reports as ServiceTimeout.
 */

export const SESSION_FILTER = 'com.microsoft:session-filter';
const LOCKED_UNTIL = 'com.microsoft:locked-until-utc';
const TIMEOUT = 'com.microsoft:timeout';
/** What Service Bus caps an accept-next wait at when the client names no timeout. */
const DEFAULT_ACCEPT_TIMEOUT_MS = 65_000;
const EPOCH_TICKS = 621_355_968_000_000_000n;

interface LinkInternals {
  state: { local_open: boolean; open_requests: number };
  local: { attach: { source?: unknown; properties?: Record<string, unknown> } };
}

type SessionFilter = { present: false } | { present: true; sessionId: string | undefined };

/** Waits of links still attaching, so a link that goes away stops waiting. */
const pendingAccepts = new WeakMap<Sender, () => void>();

/** .NET ticks (100 ns since 0001-01-01) as the 8-byte big-endian long the SDK reads. */
export function toDotNetTicks(ms: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(Math.round(ms)) * 10_000n + EPOCH_TICKS);
  return buffer;
}

/** The session filter on a client's source, if any: a session id, or undefined for "next available". */
export function sessionFilterOf(source: unknown): SessionFilter {
  const filter = (source as { filter?: Record<string, unknown> } | undefined)?.filter;
  if (!filter || !(SESSION_FILTER in filter)) return { present: false };
  const value = filter[SESSION_FILTER];
  const unwrapped = value && typeof value === 'object' && 'value' in value ? value.value : value;
  return { present: true, sessionId: wireText(unwrapped) };
}

/** Stops an accept-next wait of a link that closed before it got a session. */
export function cancelSessionAccept(sender: Sender): void {
  pendingAccepts.get(sender)?.();
  pendingAccepts.delete(sender);
}

/**
 * Locks the session the client asks for (or the next available one) and returns, through
 * `attached`, the delivery link feeding it; refusals end the link with the SDK's conditions.
 */
export function openSessionReceiver(
  sender: Sender,
  store: MessageStore,
  sessionId: string | undefined,
  log: Logger,
  counts: OperationCounts,
  attached: (link: DeliveryLink) => void,
): void {
  if (!(store instanceof SessionStore)) {
    refuse(
      sender,
      CONDITION.InvalidOperation.condition,
      `It is not possible for an entity that does not require sessions to create a session receiver. Entity: ${store.settings.path}.`,
      log,
    );
    return;
  }
  const grant = (granted: GrantedSession): void => {
    sender.set_source({
      ...(sender.source as object),
      filter: { [SESSION_FILTER]: granted.sessionId },
    } as never);
    internals(sender).local.attach.properties = {
      [LOCKED_UNTIL]: types.wrap_long(toDotNetTicks(granted.lockedUntil)),
    };
    sender.open();
    log.info(`session '${granted.sessionId}' of ${store.settings.path} locked by ${sender.name}`);
    attached(new DeliveryLink(sender, store, log, counts, granted.sessionId));
  };
  if (sessionId !== undefined) {
    try {
      grant({ sessionId, lockedUntil: store.acceptSession(sessionId, sender.name) });
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      refuse(sender, CONDITION[error.code].condition, error.message, log);
    }
    return;
  }
  holdAttach(sender);
  const timeoutMs = Number(sender.properties?.[TIMEOUT] ?? DEFAULT_ACCEPT_TIMEOUT_MS);
  const cancel = store.acceptNextSession(
    sender.name,
    Number.isFinite(timeoutMs) && timeoutMs >= 0 ? timeoutMs : DEFAULT_ACCEPT_TIMEOUT_MS,
    (granted) => {
      pendingAccepts.delete(sender);
      if (!sender.is_remote_open()) {
        // The client gave up (or its connection went) while waiting: give the session back.
        if (granted) store.releaseSession(granted.sessionId, sender.name);
        return;
      }
      if (granted) grant(granted);
      else
        refuse(
          sender,
          'com.microsoft:timeout',
          `No unlocked session became available on ${store.settings.path} within ${timeoutMs} ms.`,
          log,
        );
    },
  );
  if (!sender.is_open()) pendingAccepts.set(sender, cancel);
}

function internals(sender: Sender): LinkInternals {
  return sender as unknown as LinkInternals;
}

/** rhea answers an attach as soon as the open event returns; this takes the answer back until we have a session. */
function holdAttach(sender: Sender): void {
  const state = internals(sender).state;
  state.local_open = false;
  state.open_requests = 0;
}

/** Answers the attach with no source, then detaches with the condition (what Service Bus does). */
function refuse(sender: Sender, condition: string, description: string, log: Logger): void {
  log.info(`session receiver ${sender.name} refused: ${description}`);
  internals(sender).local.attach.source = undefined;
  sender.open();
  sender.close({ condition, description });
}
