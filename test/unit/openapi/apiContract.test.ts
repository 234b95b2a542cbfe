import { apiContract } from '../../support/apiClient';

/** The e2e tests' answer checker (test/support/apiClient.ts) against docs/openapi.json: it can fail. */
describe('the API contract check of e2e answers', () => {
  const url = (path: string) => `http://127.0.0.1:7071/api${path}`;
  const answer = (status: number, body: unknown, contentType = 'application/json') => ({
    status,
    headers: new Headers(body === undefined ? {} : { 'content-type': contentType }),
    text: body === undefined ? '' : JSON.stringify(body),
  });
  const problem = { type: 'urn:switchyard:problem:not-found', title: 'Not found', status: 404, detail: 'no' };
  const check = (method: string, path: string, response: ReturnType<typeof answer>) => () =>
    apiContract().check(method, url(path), response);

  it('accepts documented answers and returns their JSON', () => {
    const health = { status: 'healthy', dependencies: { cosmosDb: { status: 'healthy', durationMs: 3 } } };
    expect(check('GET', '/health', answer(200, health))()).toEqual(health);
    expect(
      check(
        'GET',
        '/events/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        answer(404, problem, 'application/problem+json'),
      )(),
    ).toEqual(problem);
    expect(check('DELETE', '/topics/orders/subscriptions/a', answer(204, undefined))()).toBeUndefined();
    expect(check('GET', '/topics/orders/subscriptions/', answer(200, { items: [] }))()).toEqual({
      items: [],
    });
  });

  it("accepts the host's own 404 for an unknown path and 405 for a method a path does not take", () => {
    const notFound = { ...problem, title: 'Not Found' };
    expect(check('GET', '/nowhere', answer(404, notFound, 'application/problem+json'))()).toEqual(notFound);
    expect(check('PATCH', '/health', answer(405, undefined))()).toBeUndefined();
    expect(check('GET', '/nowhere', answer(404, { oops: 1 }, 'application/problem+json'))).toThrow(
      /does not match the documented schema/,
    );
  });

  it('refuses an undocumented path, method, status or content type', () => {
    expect(check('GET', '/nowhere', answer(200, {}))).toThrow(/no path of the OpenAPI document matches/);
    expect(check('PATCH', '/health', answer(200, {}))).toThrow(/has no PATCH operation/);
    expect(check('GET', '/health', answer(418, problem, 'application/problem+json'))).toThrow(
      /status 418 is not documented/,
    );
    expect(check('GET', '/events/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', answer(404, problem))).toThrow(
      /content type "application\/json" is not documented/,
    );
  });

  it('refuses a body its schema does not allow: a missing field, an extra one, a wrong type', () => {
    expect(check('GET', '/health', answer(200, { status: 'healthy' }))).toThrow(
      /must have required property 'dependencies'/,
    );
    expect(check('GET', '/keys', answer(200, { items: [], secret: 'x' }))).toThrow(
      /must NOT have additional properties/,
    );
    expect(
      check(
        'POST',
        '/topics/orders/events',
        answer(202, { accepted: [{ id: 1, source: 's', eventKey: 'k' }] }),
      ),
    ).toThrow(/does not match the documented schema/);
    expect(check('DELETE', '/keys/a', answer(204, { deleted: true }))).toThrow(/documented without a body/);
  });
});
