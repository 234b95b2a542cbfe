import { randomBytes } from 'node:crypto';
import { ProblemError } from '../../../shared/http/problem';
import {
  type IngressDeadLetterDependencies,
  listIngressDeadLetters,
  type PeekedRejection,
} from '../../../shared/management/ingressDeadLetters';
import { continuationTokens } from '../../../shared/management/paging';
import { rejectedIngressMessage } from '../../../shared/pipeline/rejectedIngress';

/** The `$ingress` session: sequence numbers with gaps, as other sessions' messages interleave. */
const session: PeekedRejection[] = [3, 7, 8, 20, 21].map((n) => ({
  sequenceNumber: String(n),
  body: rejectedIngressMessage(
    { reason: 'InvalidEvent', description: `message ${n}` },
    { body: '{}', applicationProperties: { topic: 'orders', n }, messageId: `m-${n}` },
    new Date('2026-01-01T00:00:00Z'),
  ).body,
}));

const key = randomBytes(32);
const tokens = continuationTokens(async () => key);

/** Listing only peeks: the redrive side of the dependencies must not be called. */
const notCalled = () => Promise.reject(new Error('listing must not consume the session'));

const dependencies: IngressDeadLetterDependencies = {
  peekRejectedIngress: async (from, max) =>
    session.filter((message) => BigInt(message.sequenceNumber) >= from).slice(0, max),
  drainIngressDeadLetters: notCalled,
  sendIngress: notCalled,
};

async function page(query: { maxItems?: number; continuationToken?: string }) {
  const response = await listIngressDeadLetters(dependencies, { page: query, tokens });
  return response.body as {
    items: Array<{ messageId?: string; sequenceNumber: string }>;
    continuationToken?: string;
  };
}

describe('GET /ingress/deadletters', () => {
  it('pages through the session in order; the last page has no token', async () => {
    const first = await page({ maxItems: 2 });
    expect(first.items.map((item) => item.messageId)).toEqual(['m-3', 'm-7']);
    const second = await page({ maxItems: 2, continuationToken: first.continuationToken! });
    expect(second.items.map((item) => item.messageId)).toEqual(['m-8', 'm-20']);
    const last = await page({ maxItems: 2, continuationToken: second.continuationToken! });
    expect(last).toEqual({
      items: [expect.objectContaining({ messageId: 'm-21', description: 'message 21' })],
    });
  });

  it('shows a message it cannot read as Unreadable instead of failing the page', async () => {
    const response = await listIngressDeadLetters(
      {
        ...dependencies,
        peekRejectedIngress: async () => [{ sequenceNumber: '1', body: 'not json' }],
      },
      { page: {}, tokens },
    );
    expect(response.body).toEqual({
      items: [{ sequenceNumber: '1', reason: 'Unreadable', description: expect.any(String) }],
    });
  });

  it('refuses a token sealed by us whose content is no sequence number', async () => {
    const forged = await tokens.seal('-5', ['ingressDeadLetters']);
    await expect(
      listIngressDeadLetters(dependencies, { page: { continuationToken: forged }, tokens }),
    ).rejects.toBeInstanceOf(ProblemError);
  });

  it.each(['{"a":1}', 'garbage', '-1', '01', '1.5', '99999999999999999999', ' 1'])(
    'answers 400 naming continuationToken to a token it did not issue: %s',
    async (continuationToken) => {
      const error = await listIngressDeadLetters(dependencies, { page: { continuationToken }, tokens }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).problem).toMatchObject({
        status: 400,
        errors: [expect.objectContaining({ field: 'continuationToken' })],
      });
    },
  );
});
