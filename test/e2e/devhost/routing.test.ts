import type { HttpFunctionPlan } from '../../../local/devhost/app/planFunctions';
import { authorizeRequest } from '../../../local/devhost/http/authorizeRequest';
import { RouteTable } from '../../../local/devhost/http/routeTable';
import { parseRouteTemplate } from '../../../local/devhost/http/routeTemplate';

// Pure parts of the dev host's HTTP trigger; no process is started.

const plan = (name: string, route: string, methods?: string[]): HttpFunctionPlan => ({
  kind: 'http',
  name,
  triggerName: 'request',
  route,
  methods,
  authLevel: 'anonymous',
});

describe('route templates', () => {
  it.each([
    ['items/{id:int}', '/items/42', { id: '42' }],
    ['items/{id:int}', '/items/4x', undefined],
    ['items/{id:int}', '/items/99999999999', undefined],
    ['items/{id:long}', '/items/99999999999', { id: '99999999999' }],
    ['ITEMS/{id}', '/items/a%2Fb', { id: 'a/b' }],
    ['files/{*path}', '/files/a/b/c', { path: 'a/b/c' }],
    ['files/{*path}', '/files', {}],
    ['pages/{page:int?}', '/pages', {}],
    ['pages/{page:int?}', '/pages/x', undefined],
    ['pages/{page=1}', '/pages', { page: '1' }],
    ['v/{v:regex(^\\d{{3}}$)}', '/v/123', { v: '123' }],
    ['v/{v:regex(^\\d{{3}}$)}', '/v/1234', undefined],
    ['n/{name:alpha:minlength(2)}', '/n/ab', { name: 'ab' }],
    ['n/{name:alpha:minlength(2)}', '/n/a', undefined],
    [
      'g/{id:guid}',
      '/g/0f8fad5b-d9cb-469f-a165-70867728950e',
      { id: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    ],
    ['r/{n:range(1,5)}', '/r/6', undefined],
    ['f/{name}.{ext}', '/f/report.pdf', { name: 'report', ext: 'pdf' }],
    ['', '/', {}],
  ])('%s against %s', (template, path, expected) => {
    expect(parseRouteTemplate(template).match(path)).toEqual(expected);
  });

  it('refuses malformed templates and unknown constraints', () => {
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow('catch-all parameter must be last');
    expect(() => parseRouteTemplate('a/{id:weird}')).toThrow('unknown route constraint "weird"');
    expect(() => parseRouteTemplate('a/{id')).toThrow('unclosed');
  });
});

describe('route table', () => {
  const table = new RouteTable(
    [
      plan('byId', 'users/{id}', ['GET']),
      plan('me', 'users/me', ['GET']),
      plan('byNumber', 'users/{id:int}', ['GET', 'DELETE']),
      plan('any', '{*rest}'),
    ],
    'api',
  );

  it('prefers literal segments, then constrained parameters, then plain ones, then catch-alls', () => {
    expect(table.lookup('GET', '/api/users/me')).toMatchObject({ outcome: 'found', plan: { name: 'me' } });
    expect(table.lookup('GET', '/api/users/7')).toMatchObject({
      outcome: 'found',
      plan: { name: 'byNumber' },
    });
    expect(table.lookup('GET', '/api/users/ann')).toMatchObject({ outcome: 'found', plan: { name: 'byId' } });
    expect(table.lookup('PATCH', '/api/else/where')).toMatchObject({
      outcome: 'found',
      plan: { name: 'any' },
    });
  });

  it('needs the route prefix', () => {
    expect(table.lookup('GET', '/users/me')).toEqual({ outcome: 'notFound' });
    expect(new RouteTable([plan('me', 'users/me')], '').lookup('GET', '/users/me')).toMatchObject({
      outcome: 'found',
    });
  });

  it('reports the allowed methods when only the method is wrong', () => {
    const strict = new RouteTable(
      [plan('byId', 'users/{id}', ['GET']), plan('byNumber', 'users/{id:int}', ['DELETE'])],
      'api',
    );
    expect(strict.lookup('POST', '/api/users/7')).toEqual({
      outcome: 'methodNotAllowed',
      allowed: ['DELETE', 'GET'],
    });
  });
});

describe('function keys', () => {
  it('lets anonymous routes through and checks the key elsewhere', () => {
    expect(authorizeRequest('anonymous', { header: undefined, code: null }, undefined)).toEqual({
      allowed: true,
    });
    expect(authorizeRequest('function', { header: 'k', code: null }, 'k')).toEqual({ allowed: true });
    expect(authorizeRequest('admin', { header: undefined, code: 'k' }, 'k')).toEqual({ allowed: true });
    expect(authorizeRequest('function', { header: 'x', code: null }, 'k')).toMatchObject({ allowed: false });
    expect(authorizeRequest('function', { header: undefined, code: null }, 'k')).toMatchObject({
      allowed: false,
    });
    expect(authorizeRequest('function', { header: 'k', code: null }, undefined)).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('SWITCHYARD_FUNCTION_KEY'),
    });
  });
});
