import { describeFailure } from '../../../cli/client';
import { eventFromFlags, eventsFromDocument } from '../../../cli/commands/publish';
import { cell, deliveryTimeline, formatEventStatus, table, type DeliveryView } from '../../../cli/format';
import { fetchPages } from '../../../cli/paging';
import { switchyardCommand } from '../../../local/stack/instructions';

const failing: DeliveryView = {
  deliveryId: 'd1',
  subscription: 'billing',
  status: 'deadLettered',
  attempts: [
    {
      n: 2,
      at: '2026-12-07T15:00:10.000Z',
      outcome: 'permanentFailure',
      httpStatus: 400,
      durationMs: 8,
      error: 'HTTP 400: rejected',
    },
    {
      n: 1,
      at: '2026-12-07T15:00:00.000Z',
      outcome: 'retryableFailure',
      httpStatus: 503,
      durationMs: 1234,
      error: 'HTTP 503',
    },
  ],
  deadLetter: {
    reason: 'PermanentFailure',
    description: 'HTTP 400: rejected',
    at: '2026-12-07T15:00:10.010Z',
  },
};

describe('table', () => {
  it('aligns columns two spaces apart under capitalised headers, the last one unpadded', () => {
    expect(
      table(
        ['name', 'status', 'note'],
        [
          ['a', 'active', 'x'],
          ['longer', 'disabled', ''],
        ],
      ),
    ).toEqual(['NAME    STATUS    NOTE', 'a       active    x', 'longer  disabled']);
  });

  it('prints API text as one line with no control characters (no terminal escapes from an endpoint)', () => {
    expect(cell('bad\n\u001b[31mred\u0007')).toBe('bad [31mred');
    expect(cell({ total: 1 })).toBe('{"total":1}');
    expect(cell(undefined)).toBe('');
  });
});

describe('the delivery timeline', () => {
  it('lists attempts in order with time, outcome, HTTP status, duration and error, then the dead-letter reason', () => {
    expect(deliveryTimeline(failing)).toEqual([
      'billing  deadLettered  (2 attempts)',
      '  TIME                      ATTEMPT  OUTCOME           HTTP  DURATION  ERROR',
      '  2026-12-07T15:00:00.000Z  1        retryableFailure  503   1.2 s     HTTP 503',
      '  2026-12-07T15:00:10.000Z  2        permanentFailure  400   8 ms      HTTP 400: rejected',
      '  dead-lettered at 2026-12-07T15:00:10.010Z: PermanentFailure: HTTP 400: rejected',
    ]);
  });

  it('shows a delivery with no attempt yet, and the next attempt of a retrying one', () => {
    expect(deliveryTimeline({ deliveryId: 'd', subscription: 's', status: 'pending', attempts: [] })).toEqual(
      ['s  pending  (no attempt yet)'],
    );
    const retrying = deliveryTimeline({
      ...failing,
      status: 'retrying',
      attempts: [failing.attempts[1]!],
      deadLetter: undefined as never,
      nextAttemptAt: '2026-12-07T15:00:30.000Z',
    });
    expect(retrying.at(-1)).toBe('  next attempt at 2026-12-07T15:00:30.000Z');
  });

  it('heads the event with its attributes and what it matched', () => {
    const lines = formatEventStatus({
      eventKey: 'k'.repeat(32),
      topic: 'orders',
      id: 'order-1',
      source: '/shop',
      type: 'order.created',
      receivedAt: '2026-12-07T14:59:59.000Z',
      sizeBytes: 120,
      matchedSubscriptions: [],
      deliveries: [],
      event: { data: { total: 1 } },
    });
    expect(lines).toEqual([
      `Event key  ${'k'.repeat(32)}`,
      'Topic      orders',
      'Type       order.created',
      'Source     /shop',
      'Id         order-1',
      'Received   2026-12-07T14:59:59.000Z',
      'Size       120 bytes',
      'Data       {"total":1}',
      'Matched    no subscription',
    ]);
  });
});

describe('describeFailure', () => {
  it('gives the status, the problem title and detail, and the fields it names', () => {
    expect(
      describeFailure(400, 'Bad Request', {
        title: 'Invalid request',
        detail: 'the body is invalid',
        errors: [{ field: 'destination.endpointUrl', message: 'must be https' }],
      }),
    ).toBe('400 Invalid request: the body is invalid (destination.endpointUrl: must be https)');
    expect(describeFailure(502, 'Bad Gateway', '<html>gateway</html>')).toBe(
      '502 Bad Gateway: <html>gateway</html>',
    );
  });
});

describe('publish input', () => {
  it('builds a CloudEvent from flags, data as JSON', () => {
    expect(eventFromFlags({ type: 't', source: '/s', id: 'i', data: '{"a":1}' })).toEqual({
      specversion: '1.0',
      id: 'i',
      source: '/s',
      type: 't',
      datacontenttype: 'application/json',
      data: { a: 1 },
    });
    expect(eventFromFlags({ type: 't', source: '/s' }).id).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => eventFromFlags({ type: 't', source: '/s', data: 'text' })).toThrow('--data must be JSON');
    expect(() => eventFromFlags({ type: 't' })).toThrow('--type and --source');
  });

  it('reads an object as one event and an array as a batch', () => {
    expect(eventsFromDocument({ id: 1 }, 'f')).toEqual({ events: [{ id: 1 }], batch: false });
    expect(eventsFromDocument([{ id: 1 }, { id: 2 }], 'f')).toEqual({
      events: [{ id: 1 }, { id: 2 }],
      batch: true,
    });
    expect(() => eventsFromDocument([], 'f')).toThrow('empty batch');
    expect(() => eventsFromDocument('x', 'f')).toThrow('must hold a CloudEvent');
  });
});

describe('fetchPages', () => {
  const pages: Record<string, { items: number[]; continuationToken?: string }> = {
    first: { items: [1, 2], continuationToken: 'b' },
    b: { items: [3], continuationToken: 'c' },
    c: { items: [4] },
  };
  const fetchPage = async (query: { continuationToken?: string }) =>
    pages[query.continuationToken ?? 'first']!;

  it('answers one page with its token, or with --all every page', async () => {
    expect(await fetchPages({}, fetchPage)).toEqual({ items: [1, 2], continuationToken: 'b' });
    expect(await fetchPages({ continuationToken: 'b' }, fetchPage)).toEqual({
      items: [3],
      continuationToken: 'c',
    });
    expect(await fetchPages({ all: true }, fetchPage)).toEqual({ items: [1, 2, 3, 4] });
  });

  it('refuses a page size out of range as a usage error', async () => {
    await expect(fetchPages({ maxItems: '0' }, fetchPage)).rejects.toThrow(
      '--max-items must be a whole number',
    );
  });
});

describe('the switchyard line npm start prints', () => {
  const local = { url: 'http://127.0.0.1:7071', adminKey: 'local-dev-key' };

  it('is bare when the CLI targets this stack by default, else carries the URL and key', () => {
    expect(switchyardCommand('http://127.0.0.1:7071/api', 'local-dev-key', 'abc', local)).toBe(
      'npx switchyard events show abc',
    );
    expect(switchyardCommand('http://127.0.0.1:7171/api', 'local-dev-key', 'abc', local)).toBe(
      "SWITCHYARD_URL='http://127.0.0.1:7171' SWITCHYARD_API_KEY='local-dev-key' npx switchyard events show abc",
    );
  });
});
