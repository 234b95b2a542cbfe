import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { authenticate } from '../auth/authenticate';
import type { Caller } from '../auth/caller';
import { allows, describeGrants, holdsAnywhere, roleFor, type Permission } from '../auth/permissions';
import { forbiddenProblem } from '../http/problems';
import { annotateActiveSpan, log } from '../telemetry';
import { appContext } from './context';
import { respond } from './http';

/** What an authorized handler knows about its caller. */
export interface Access {
  caller: Caller;
  /** Throws 403 unless the caller holds the route's permission on `topic` (handlers that find the topic later). */
  requireTopic(topic: string): void;
}

export type AuthorizedHandler = (
  request: HttpRequest,
  context: InvocationContext,
  access: Access,
) => Promise<HttpResponseInit>;

/**
 * Which topic the permission is checked on:
 * - `route` (default): the route's `{topic}`; a route without one needs the permission on every topic.
 * - `handler`: the caller needs the permission on some topic to get in, and the handler calls
 *   `access.requireTopic` once it knows the topic (an event looked up by key).
 */
export type TopicCheck = 'route' | 'handler';

/** What an HTTP registration spreads in: anonymous at the Functions host, the app is the gate. */
export interface GuardedHandler {
  authLevel: 'anonymous';
  handler: HttpHandler;
}

/** What a registered HTTP handler declared: its permission, or open to anyone. */
export type DeclaredAccess = { permission: Permission; topicCheck: TopicCheck } | 'anonymous';

const declared = new WeakMap<object, DeclaredAccess>();

/**
 * The access a handler returned by requires() or anonymous() declared; undefined for any other
 * function. The OpenAPI description reads it from the registrations (security, 401, 403).
 */
export function declaredAccess(handler: object): DeclaredAccess | undefined {
  return declared.get(handler);
}

function declare(handler: HttpHandler, access: DeclaredAccess): GuardedHandler {
  declared.set(handler, access);
  return { authLevel: 'anonymous', handler };
}

/**
 * Declares the permission an HTTP function needs, next to its registration:
 * `app.get('eventStatus', { route: 'events/{eventKey}', ...requires('events.read', eventStatus) })`.
 * The request is authenticated (401) and authorized (403) before the handler runs, and the
 * call is audited with the caller's id, the permission and the outcome.
 */
export function requires(
  permission: Permission,
  handler: AuthorizedHandler,
  topicCheck: TopicCheck = 'route',
): GuardedHandler {
  return declare(
    async (request, context) => {
      const routeTopic = topicCheck === 'route' ? (request.params.topic ?? '*') : undefined;
      let caller: Caller | undefined;
      try {
        caller = await authenticateRequest(request);
        const allowed =
          routeTopic === undefined
            ? holdsAnywhere(caller.grants, permission)
            : allows(caller.grants, permission, routeTopic);
        if (!allowed) throw forbidden(caller, permission, routeTopic);
      } catch (error) {
        // 401 / 403 as problem+json, or 503 when the issuer's keys or the key store are out of reach.
        const refused = await respond(context, () => {
          throw error;
        });
        const status = refused.status ?? 500;
        const outcome = status === 401 ? 'unauthenticated' : status === 403 ? 'forbidden' : 'not checked';
        audit(context, permission, caller, routeTopic, status, outcome);
        return refused;
      }
      const authorized = caller;
      const answer = await handler(request, context, {
        caller: authorized,
        requireTopic(topic) {
          if (!allows(authorized.grants, permission, topic)) throw forbidden(authorized, permission, topic);
        },
      });
      const status = answer.status ?? 200;
      // A topic the handler found and refused (access.requireTopic) is a 403 too.
      audit(context, permission, authorized, routeTopic, status, status === 403 ? 'forbidden' : 'allowed');
      return answer;
    },
    { permission, topicCheck },
  );
}

/** Declares an HTTP function open to anyone (/health and the OpenAPI description). */
export function anonymous(handler: HttpHandler): GuardedHandler {
  return declare(handler, 'anonymous');
}

async function authenticateRequest(request: HttpRequest): Promise<Caller> {
  const app = appContext();
  return authenticate(
    {
      authorization: request.headers.get('authorization'),
      functionsKey: request.headers.get('x-functions-key'),
    },
    {
      bootstrapKey: app.settings.adminKey,
      verifyToken: app.verifyToken,
      findApiKey: (name) => app.apiKeyCache.get(name),
      keyUsed: (name) => app.apiKeyCache.used(name),
      now: () => new Date(),
    },
  );
}

function forbidden(caller: Caller, permission: Permission, topic: string | undefined) {
  const what = topic === undefined || topic === '*' ? permission : `${permission} on topic ${topic}`;
  const everyTopic = topic === '*' && permission !== 'admin' ? ' on every topic' : '';
  const held = describeGrants(caller.grants) || 'nothing';
  return forbiddenProblem(
    `${what}${everyTopic}`,
    `This call needs ${what}${everyTopic} (Entra role ${roleFor(permission, topic)}, or an API key with that permission); the caller ${caller.id} holds ${held}.`,
  );
}

/**
 * The audit record of a call: who (caller id, never the credential), with which permission, on
 * which topic, and the outcome. Publishing is audited only when refused (it is the hot path and
 * has its own telemetry); every management and operate call is audited.
 */
function audit(
  context: InvocationContext,
  permission: Permission,
  caller: Caller | undefined,
  topic: string | undefined,
  status: number,
  outcome: 'allowed' | 'unauthenticated' | 'forbidden' | 'not checked',
): void {
  const attributes = {
    'enduser.id': caller?.id ?? 'anonymous',
    'switchyard.permission': permission,
    'switchyard.authorization': outcome,
    ...(topic !== undefined && topic !== '*' ? { topic } : {}),
  };
  annotateActiveSpan(attributes);
  if (permission === 'publish' && outcome === 'allowed') return;
  log(
    outcome === 'allowed' ? 'info' : 'warn',
    `audit ${context.functionName}: ${outcome} (${status})`,
    { ...attributes, status },
    context,
  );
}
