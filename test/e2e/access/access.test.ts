import { startIssuer, type RunningIssuer } from '../../../local/issuer/index';
import { ROLE_PERMISSIONS, type Permission } from '../../../shared/auth/permissions';
import { apiFetch } from '../../support/apiClient';
import { waitFor } from '../../support/wait';
import { FUNCTION_KEY, type Pipeline, startPipeline } from '../pipeline/harness';

/**
 * The permission each HTTP function must declare (docs/operations.md has the same table). A
 * function the dev host registers that is missing here fails the first test: declare its
 * permission beside its registration (`...requires('...', handler)`) and add it here.
 */
const EXPECTED_PERMISSIONS: Record<string, Permission | 'anonymous'> = {
  health: 'anonymous',
  openapi: 'anonymous',
  publish: 'publish',
  subscriptions: 'subscriptions.read',
  getSubscription: 'subscriptions.read',
  putSubscription: 'subscriptions.write',
  deleteSubscription: 'subscriptions.write',
  eventStatus: 'events.read',
  deliveries: 'events.read',
  deadletters: 'events.read',
  redrive: 'operate',
  ingressDeadletters: 'operate',
  ingressRedrive: 'operate',
  listKeys: 'admin',
  putKey: 'admin',
  deleteKey: 'admin',
};

interface HttpFunction {
  name: string;
  method: string;
  /** A concrete path for the route, e.g. /api/topics/orders/subscriptions/sample. */
  path: string;
}

/** The HTTP functions as the dev host registered them: its start-up line for each. */
function registeredHttpFunctions(hostLogs: string): HttpFunction[] {
  const functions: HttpFunction[] = [];
  for (const match of hostLogs.matchAll(
    /Function (\w+): \[([A-Z,*]+)\] https?:\/\/[^/\s]+(\/\S*) \(authLevel/g,
  )) {
    const [, name = '', methods = '', route = ''] = match;
    const path = route
      .replace('{topic}', 'orders')
      .replace('{name}', 'sample')
      .replace('{eventKey}', 'A'.repeat(32));
    functions.push({ name, method: methods.split(',')[0] ?? 'GET', path });
  }
  return functions;
}

const roleOf = (permission: Permission): string =>
  Object.entries(ROLE_PERMISSIONS).find(([, p]) => p === permission)?.[0] ?? '';

/** Every role but the one granting `permission` (and Admin, which grants everything). */
const rolesWithout = (permission: Permission): string[] =>
  Object.entries(ROLE_PERMISSIONS)
    .filter(([, p]) => p !== permission && p !== 'admin')
    .map(([role]) => role);

/** A token with the payload changed after signing: the signature no longer matches. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  claims.roles = Object.keys(ROLE_PERMISSIONS);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('access control of every HTTP function', () => {
  let pipeline: Pipeline;
  let otherIssuer: RunningIssuer;
  let functions: HttpFunction[];

  beforeAll(async () => {
    [pipeline, otherIssuer] = await Promise.all([startPipeline(), startIssuer({ port: 0 })]);
    functions = registeredHttpFunctions(pipeline.host.logs());
  }, 120_000);
  afterAll(async () => {
    await Promise.all([pipeline?.stop(), otherIssuer?.close()]);
  });

  async function call(fn: HttpFunction, headers: Record<string, string>) {
    const {
      status,
      headers: answered,
      text,
    } = await apiFetch(`${pipeline.host.url}${fn.path}`, {
      method: fn.method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(fn.method === 'GET' || fn.method === 'DELETE' ? {} : { body: '{}' }),
    });
    return { status, headers: answered, text };
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('finds every registered HTTP function, each with a declared permission', () => {
    expect(functions.length).toBeGreaterThanOrEqual(13);
    expect(functions.map((fn) => fn.name).sort()).toEqual(Object.keys(EXPECTED_PERMISSIONS).sort());
  });

  it('describes every HTTP function the host registered in the OpenAPI document it serves, with its methods', async () => {
    const served = await apiFetch(`${pipeline.host.url}/api/openapi.json`);
    const document = served.json as {
      servers: Array<{ url: string }>;
      paths: Record<string, Record<string, unknown>>;
    };
    const described = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${document.servers[0]?.url}${path}`),
      ),
    );
    const registered = [
      ...pipeline.host
        .logs()
        .matchAll(/Function (\w+): \[([A-Z,*]+)\] https?:\/\/[^/\s]+(\/\S*) \(authLevel/g),
    ].flatMap(([, , methods = '', route = '']) => methods.split(',').map((method) => `${method} ${route}`));
    expect(registered.length).toBeGreaterThanOrEqual(functions.length);
    expect(registered.filter((operation) => !described.has(operation))).toEqual([]);
    expect(described.size).toBe(registered.length);
  });

  it('answers /health without a credential', async () => {
    const health = functions.find((fn) => fn.name === 'health');
    expect(health && (await call(health, {})).status).toBe(200);
  });

  it('refuses each function no credential, a bad signature, an expired token and a wrong audience (401)', async () => {
    for (const fn of functions) {
      const permission = EXPECTED_PERMISSIONS[fn.name];
      if (permission === undefined || permission === 'anonymous') continue;
      const roles = [permission === 'admin' ? 'Switchyard.Admin' : roleOf(permission)];
      const valid = await pipeline.issuer.sign({ roles });
      const forged = [
        ['no credential', {}],
        ['tampered payload', bearer(tampered(valid))],
        [
          'signed by another key',
          bearer(
            await otherIssuer.sign({
              roles,
              issuer: pipeline.issuer.url,
              audience: pipeline.issuer.audience,
            }),
          ),
        ],
        ['expired', bearer(await pipeline.issuer.sign({ roles, lifetimeSeconds: -600 }))],
        ['not yet valid', bearer(await pipeline.issuer.sign({ roles, notBeforeSeconds: 600 }))],
        ['wrong audience', bearer(await pipeline.issuer.sign({ roles, audience: 'api://someone-else' }))],
        ['wrong issuer', bearer(await pipeline.issuer.sign({ roles, issuer: 'https://login.example/' }))],
        ['unknown API key', bearer(`sk_nobody_${'x'.repeat(43)}`)],
        ['wrong bootstrap key', { 'x-functions-key': 'not-the-key' }],
        ['Basic scheme', { authorization: `Basic ${Buffer.from(`a:${FUNCTION_KEY}`).toString('base64')}` }],
      ] as const;
      for (const [what, headers] of forged) {
        const response = await call(fn, headers);
        const label = `${fn.name} (${fn.method} ${fn.path}) with ${what}`;
        expect({ label, status: response.status }).toEqual({ label, status: 401 });
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const sent = Object.values(headers)[0];
        if (sent !== undefined) expect(response.text).not.toContain(String(sent).split(' ').at(-1));
      }
    }
  });

  it('answers 403 naming the permission to a valid credential without it, and lets the one with it in', async () => {
    for (const fn of functions) {
      const permission = EXPECTED_PERMISSIONS[fn.name];
      if (permission === undefined || permission === 'anonymous') continue;
      const label = `${fn.name} (${fn.method} ${fn.path})`;
      const without = await call(fn, bearer(await pipeline.issuer.sign({ roles: rolesWithout(permission) })));
      expect({ label, status: without.status }).toEqual({ label, status: 403 });
      expect(without.headers.get('content-type')).toContain('application/problem+json');
      expect(JSON.parse(without.text)).toMatchObject({
        status: 403,
        errors: [{ field: 'permission', message: expect.stringContaining(permission) }],
      });
      const withIt = await call(fn, bearer(await pipeline.issuer.sign({ roles: [roleOf(permission)] })));
      expect({ label, refused: [401, 403].includes(withIt.status) }).toEqual({ label, refused: false });
    }
  });

  describe('keys and tokens end to end', () => {
    const admin = { authorization: `Bearer ${FUNCTION_KEY}` };
    async function api(method: string, path: string, headers: Record<string, string>, body?: unknown) {
      const { status, text, json } = await apiFetch(`${pipeline.host.url}/api${path}`, {
        method,
        headers: {
          ...headers,
          'content-type': typeof body === 'string' ? 'application/cloudevents+json' : 'application/json',
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return { status, text, json: json as Record<string, unknown> };
    }
    const event = (id: string) =>
      JSON.stringify({ specversion: '1.0', id, source: '/access-test', type: 'order.created', data: { id } });

    it('a publish-only key for orders publishes to orders, and nothing else; revoked, it stops working', async () => {
      const created = await api('PUT', '/keys/orders-publisher', admin, {
        permissions: ['publish'],
        topics: ['orders'],
      });
      expect(created.status).toBe(201);
      const key = created.json.key as string;
      expect(key).toMatch(/^sk_orders-publisher_[A-Za-z0-9_-]{43}$/);
      const publisher = { authorization: `Bearer ${key}` };

      const published = await api('POST', '/topics/orders/events', publisher, event('k-1'));
      expect(published.status).toBe(202);
      const eventKey = (published.json.accepted as Array<{ eventKey: string }>)[0]?.eventKey ?? '';

      const payments = await api('POST', '/topics/payments/events', publisher, event('k-2'));
      expect(payments.status).toBe(403);
      expect(payments.json.detail).toContain('publish on topic payments');
      expect(payments.text).not.toContain(key);
      const subscriptionPut = await api('PUT', '/topics/orders/subscriptions/sneaky', publisher, {
        destination: { endpointType: 'WebHook', endpointUrl: 'https://127.0.0.1:9/hook' },
      });
      expect(subscriptionPut.status).toBe(403);
      expect((await api('GET', `/events/${eventKey}`, publisher)).status).toBe(403);
      expect((await api('GET', '/topics/orders/subscriptions/sample/deliveries', publisher)).status).toBe(
        403,
      );
      expect((await api('GET', '/keys', publisher)).status).toBe(403);

      const listed = await api('GET', '/keys', admin);
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(key);
      expect(listed.text).not.toContain('keyHash');
      expect(listed.json.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            name: 'orders-publisher',
            permissions: ['publish'],
            topics: ['orders'],
            createdAt: expect.any(String),
            lastUsedAt: expect.any(String),
          }),
        ]),
      );

      expect((await api('DELETE', '/keys/orders-publisher', admin)).status).toBe(204);
      const revoked = await api('POST', '/topics/orders/events', publisher, event('k-3'));
      expect(revoked.status).toBe(401);
      expect((await api('DELETE', '/keys/orders-publisher', admin)).status).toBe(404);
    });

    it('a token with Switchyard.Events.Read reads events but cannot publish; a per-topic role reads only its topic', async () => {
      const eventKey = await pipeline.publish('orders', {
        id: 'token-1',
        source: '/access-test',
        type: 'order.created',
      });
      const reader = bearer(await pipeline.issuer.sign({ roles: ['Switchyard.Events.Read'] }));
      const status = await waitFor('the event record', async () => {
        const response = await api('GET', `/events/${eventKey}`, reader);
        return response.status === 200 ? response : undefined;
      });
      expect(status.json).toMatchObject({ eventKey, topic: 'orders' });
      expect((await api('POST', '/topics/orders/events', reader, event('token-2'))).status).toBe(403);

      const paymentsReader = bearer(
        await pipeline.issuer.sign({ roles: ['Switchyard.Events.Read.payments'] }),
      );
      const other = await api('GET', `/events/${eventKey}`, paymentsReader);
      expect(other.status).toBe(403);
      expect(other.json.detail).toContain('events.read on topic orders');
      const ordersReader = bearer(await pipeline.issuer.sign({ roles: ['Switchyard.Events.Read.orders'] }));
      expect((await api('GET', `/events/${eventKey}`, ordersReader)).status).toBe(200);
    });

    it('an admin key manages keys, a PUT of an existing name rotates it, the bootstrap key works as x-functions-key', async () => {
      const created = await api('PUT', '/keys/ops-admin', admin, { permissions: ['admin'] });
      expect(created.status).toBe(201);
      const opsAdmin = { authorization: `Bearer ${created.json.key as string}` };
      const partner = await api('PUT', '/keys/partner', opsAdmin, {
        permissions: ['publish', 'events.read'],
        topics: ['orders', 'payments'],
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      expect(partner.status).toBe(201);
      const rotated = await api('PUT', '/keys/partner', opsAdmin, {
        permissions: ['publish'],
        topics: ['orders'],
      });
      expect(rotated.status).toBe(200);
      expect(
        (
          await api(
            'POST',
            '/topics/orders/events',
            { authorization: `Bearer ${partner.json.key as string}` },
            event('r-1'),
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await api(
            'POST',
            '/topics/orders/events',
            { authorization: `Bearer ${rotated.json.key as string}` },
            event('r-2'),
          )
        ).status,
      ).toBe(202);

      const invalid = await api('PUT', '/keys/Bad_Name', opsAdmin, { permissions: ['fly'] });
      expect(invalid.status).toBe(400);
      const past = await api('PUT', '/keys/late', opsAdmin, {
        permissions: ['publish'],
        expiresAt: '2020-01-01T00:00:00Z',
      });
      expect(past.status).toBe(400);
      expect(past.json.errors).toEqual([expect.objectContaining({ field: 'expiresAt' })]);

      // Audited: who, with which permission, the outcome; never a credential.
      const logs = pipeline.host.logs();
      expect(logs).toMatch(
        /audit putKey: allowed \(201\).*enduser\.id=bootstrap-admin-key.*switchyard\.permission=admin/,
      );
      expect(logs).toMatch(/audit putKey: allowed \(200\).*enduser\.id=key:ops-admin/);
      expect(logs).toMatch(/audit publish: unauthenticated \(401\).*enduser\.id=anonymous/);
      for (const secret of [created.json.key, partner.json.key, rotated.json.key, FUNCTION_KEY]) {
        expect(logs).not.toContain(secret as string);
      }

      const viaHeader = await api('GET', '/keys', { 'x-functions-key': FUNCTION_KEY });
      expect(viaHeader.status).toBe(200);
      expect((viaHeader.json.items as Array<{ name: string }>).map((k) => k.name)).toEqual(
        expect.arrayContaining(['ops-admin', 'partner']),
      );
    });
  });
});
