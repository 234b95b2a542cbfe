import { z } from 'zod';

import { PROBLEM_CONTENT_TYPE, ProblemError, toProblemResponse } from '../../../shared/http/problem';
import {
  conflictProblem,
  internalProblem,
  invalidField,
  notFoundProblem,
  payloadTooLargeProblem,
  preconditionFailedProblem,
  problemErrorFrom,
  serviceUnavailableProblem,
  unauthorizedProblem,
  forbiddenProblem,
  unsupportedMediaTypeProblem,
} from '../../../shared/http/problems';
import { fieldErrorsFromZod, formatFieldPath, problemFromZodError } from '../../../shared/http/zodProblem';

describe('problem details', () => {
  it.each([
    [invalidField('destination.endpointUrl', 'must be https'), 400],
    [unauthorizedProblem('No credential was sent.', false), 401],
    [forbiddenProblem('publish on topic orders', 'This call needs publish on topic orders.'), 403],
    [notFoundProblem('no subscription orders/billing', '/api/topics/orders/subscriptions/billing'), 404],
    [conflictProblem('exists'), 409],
    [preconditionFailedProblem('ETag mismatch'), 412],
    [payloadTooLargeProblem('body', 'too big'), 413],
    [unsupportedMediaTypeProblem('use JSON'), 415],
    [serviceUnavailableProblem('Cosmos DB is unreachable', 5), 503],
    [internalProblem(), 500],
  ])('%# answers with status %i as application/problem+json', (error, status) => {
    expect(error).toBeInstanceOf(ProblemError);
    const response = toProblemResponse(error.problem, error.headers);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ status, type: expect.stringMatching(/^urn:switchyard:problem:/) });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
  });

  it('carries the headers a status needs', () => {
    expect(serviceUnavailableProblem('down', 2.5).headers).toEqual({ 'retry-after': '3' });
    expect(unauthorizedProblem('No credential was sent.', false).headers).toHaveProperty('www-authenticate');
  });

  it('names the field of a validation failure and of a 415', () => {
    expect(invalidField('topic', 'bad').problem.errors).toEqual([{ field: 'topic', message: 'bad' }]);
    expect(unsupportedMediaTypeProblem('x').problem.errors?.[0]?.field).toBe('content-type');
  });

  it('turns unknown errors into a 500 that leaks nothing', () => {
    const problem = problemErrorFrom(new Error('connection string AccountKey=secret')).problem;
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
    const own = conflictProblem('exists');
    expect(problemErrorFrom(own)).toBe(own);
    expect(own).toBeInstanceOf(ProblemError);
    expect(own.message).toContain('409');
  });
});

describe('zod errors as problems', () => {
  const subscription = z.strictObject({
    destination: z.object({ endpointType: z.literal('WebHook'), endpointUrl: z.url() }),
    filter: z.object({ advancedFilters: z.array(z.object({ key: z.string().min(1) })) }),
  });

  it('names nested field paths the way clients write them', () => {
    const result = subscription.safeParse({
      destination: { endpointType: 'WebHook', endpointUrl: 'not a url' },
      filter: { advancedFilters: [{ key: 'a' }, { key: '' }] },
      colour: 'red',
    });
    expect(result.success).toBe(false);
    const problem = problemFromZodError(result.error!).problem;
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((e) => e.field).sort()).toEqual([
      'colour',
      'destination.endpointUrl',
      'filter.advancedFilters[1].key',
    ]);
  });

  it('prefixes paths and names the root as body', () => {
    const notAnObject = subscription.safeParse('text');
    expect(fieldErrorsFromZod(notAnObject.error!).map((e) => e.field)).toEqual(['body']);
    expect(formatFieldPath(['source'], '[3]')).toBe('[3].source');
    expect(formatFieldPath([0, 'a', 2])).toBe('[0].a[2]');
  });
});
