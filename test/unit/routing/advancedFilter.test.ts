import type { AdvancedFilter, CloudEventJson } from '../../../shared/domain/types';
import { compileFilter } from '../../../shared/routing/matchesFilter';

function event(data: unknown, extra: Record<string, unknown> = {}): CloudEventJson {
  return {
    specversion: '1.0',
    id: 'e-1',
    source: '/shop',
    type: 'order.created',
    subject: '/orders/42',
    data,
    ...extra,
  };
}

function passes(filter: AdvancedFilter, ev: CloudEventJson): boolean {
  return compileFilter({ advancedFilters: [filter] })(ev);
}

type Case = [description: string, filter: AdvancedFilter, data: unknown, expected: boolean];

const numberCases: Case[] = [
  ['NumberIn hit', { operatorType: 'NumberIn', key: 'data.n', values: [1, 5] }, { n: 5 }, true],
  ['NumberIn miss', { operatorType: 'NumberIn', key: 'data.n', values: [1, 5] }, { n: 6 }, false],
  ['NumberIn on numeric string', { operatorType: 'NumberIn', key: 'data.n', values: [5] }, { n: '5' }, false],
  ['NumberIn missing key', { operatorType: 'NumberIn', key: 'data.n', values: [5] }, {}, false],
  [
    'NumberIn array any element',
    { operatorType: 'NumberIn', key: 'data.n', values: [5] },
    { n: [1, 5] },
    true,
  ],
  [
    'NumberIn array ignores strings',
    { operatorType: 'NumberIn', key: 'data.n', values: [5] },
    { n: ['5', 6] },
    false,
  ],
  ['NumberNotIn hit', { operatorType: 'NumberNotIn', key: 'data.n', values: [41, 0] }, { n: 41 }, false],
  ['NumberNotIn miss', { operatorType: 'NumberNotIn', key: 'data.n', values: [41, 0] }, { n: 7 }, true],
  ['NumberNotIn missing key matches', { operatorType: 'NumberNotIn', key: 'data.n', values: [41] }, {}, true],
  [
    'NumberNotIn null matches',
    { operatorType: 'NumberNotIn', key: 'data.n', values: [41] },
    { n: null },
    true,
  ],
  [
    'NumberNotIn array with a hit',
    { operatorType: 'NumberNotIn', key: 'data.n', values: [41] },
    { n: [1, 41] },
    false,
  ],
  [
    'NumberNotIn array without hit',
    { operatorType: 'NumberNotIn', key: 'data.n', values: [41] },
    { n: [1, 2] },
    true,
  ],
  ['NumberLessThan true', { operatorType: 'NumberLessThan', key: 'data.n', value: 100 }, { n: 99.5 }, true],
  ['NumberLessThan equal', { operatorType: 'NumberLessThan', key: 'data.n', value: 100 }, { n: 100 }, false],
  [
    'NumberLessThan on string',
    { operatorType: 'NumberLessThan', key: 'data.n', value: 100 },
    { n: '1' },
    false,
  ],
  [
    'NumberLessThan on boolean',
    { operatorType: 'NumberLessThan', key: 'data.n', value: 100 },
    { n: false },
    false,
  ],
  ['NumberLessThan missing', { operatorType: 'NumberLessThan', key: 'data.n', value: 100 }, {}, false],
  [
    'NumberLessThan array any',
    { operatorType: 'NumberLessThan', key: 'data.n', value: 10 },
    { n: [50, 3] },
    true,
  ],
  [
    'NumberGreaterThan true',
    { operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 },
    { total: 100.01 },
    true,
  ],
  [
    'NumberGreaterThan equal',
    { operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 },
    { total: 100 },
    false,
  ],
  [
    'NumberGreaterThan negative',
    { operatorType: 'NumberGreaterThan', key: 'data.total', value: -5 },
    { total: -4 },
    true,
  ],
  [
    'NumberLessThanOrEquals equal',
    { operatorType: 'NumberLessThanOrEquals', key: 'data.n', value: 100 },
    { n: 100 },
    true,
  ],
  [
    'NumberLessThanOrEquals above',
    { operatorType: 'NumberLessThanOrEquals', key: 'data.n', value: 100 },
    { n: 101 },
    false,
  ],
  [
    'NumberGreaterThanOrEquals equal',
    { operatorType: 'NumberGreaterThanOrEquals', key: 'data.n', value: 30 },
    { n: 30 },
    true,
  ],
  [
    'NumberGreaterThanOrEquals below',
    { operatorType: 'NumberGreaterThanOrEquals', key: 'data.n', value: 30 },
    { n: 29.9 },
    false,
  ],
  [
    'NumberGreaterThanOrEquals missing',
    { operatorType: 'NumberGreaterThanOrEquals', key: 'data.n', value: 0 },
    {},
    false,
  ],
  [
    'NumberInRange inside',
    {
      operatorType: 'NumberInRange',
      key: 'data.n',
      values: [
        [3.14, 999.95],
        [3000, 4000],
      ],
    },
    { n: 3500 },
    true,
  ],
  [
    'NumberInRange bounds inclusive',
    { operatorType: 'NumberInRange', key: 'data.n', values: [[3000, 4000]] },
    { n: 4000 },
    true,
  ],
  [
    'NumberInRange outside',
    {
      operatorType: 'NumberInRange',
      key: 'data.n',
      values: [
        [3.14, 999.95],
        [3000, 4000],
      ],
    },
    { n: 1000 },
    false,
  ],
  [
    'NumberInRange on string',
    { operatorType: 'NumberInRange', key: 'data.n', values: [[0, 10]] },
    { n: '5' },
    false,
  ],
  ['NumberInRange missing', { operatorType: 'NumberInRange', key: 'data.n', values: [[0, 10]] }, {}, false],
  [
    'NumberInRange array any',
    { operatorType: 'NumberInRange', key: 'data.n', values: [[0, 10]] },
    { n: [20, 5] },
    true,
  ],
  [
    'NumberNotInRange outside',
    { operatorType: 'NumberNotInRange', key: 'data.n', values: [[0, 10]] },
    { n: 11 },
    true,
  ],
  [
    'NumberNotInRange inside',
    {
      operatorType: 'NumberNotInRange',
      key: 'data.n',
      values: [
        [0, 10],
        [20, 30],
      ],
    },
    { n: 25 },
    false,
  ],
  [
    'NumberNotInRange missing matches',
    { operatorType: 'NumberNotInRange', key: 'data.n', values: [[0, 10]] },
    {},
    true,
  ],
  [
    'NumberNotInRange array one inside',
    { operatorType: 'NumberNotInRange', key: 'data.n', values: [[0, 10]] },
    { n: [50, 5] },
    false,
  ],
];

const boolCases: Case[] = [
  ['BoolEquals true', { operatorType: 'BoolEquals', key: 'data.ok', value: true }, { ok: true }, true],
  [
    'BoolEquals false vs true',
    { operatorType: 'BoolEquals', key: 'data.ok', value: true },
    { ok: false },
    false,
  ],
  ['BoolEquals false', { operatorType: 'BoolEquals', key: 'data.ok', value: false }, { ok: false }, true],
  [
    'BoolEquals on "true" string',
    { operatorType: 'BoolEquals', key: 'data.ok', value: true },
    { ok: 'true' },
    false,
  ],
  ['BoolEquals on 1', { operatorType: 'BoolEquals', key: 'data.ok', value: true }, { ok: 1 }, false],
  ['BoolEquals missing', { operatorType: 'BoolEquals', key: 'data.ok', value: false }, {}, false],
  [
    'BoolEquals array any',
    { operatorType: 'BoolEquals', key: 'data.ok', value: true },
    { ok: [false, true] },
    true,
  ],
];

const stringCases: Case[] = [
  [
    'StringContains any value',
    { operatorType: 'StringContains', key: 'data.s', values: ['microsoft', 'azure'] },
    { s: 'azure data factory' },
    true,
  ],
  [
    'StringContains case-insensitive',
    { operatorType: 'StringContains', key: 'data.s', values: ['AZURE'] },
    { s: 'my Azure app' },
    true,
  ],
  [
    'StringContains miss',
    { operatorType: 'StringContains', key: 'data.s', values: ['aws'] },
    { s: 'azure' },
    false,
  ],
  ['StringContains missing', { operatorType: 'StringContains', key: 'data.s', values: ['a'] }, {}, false],
  [
    'StringContains on number text',
    { operatorType: 'StringContains', key: 'data.s', values: ['23'] },
    { s: 1234 },
    true,
  ],
  [
    'StringContains on object',
    { operatorType: 'StringContains', key: 'data.s', values: ['a'] },
    { s: { a: 'a' } },
    false,
  ],
  [
    'StringContains array any',
    { operatorType: 'StringContains', key: 'data.tags', values: ['urg'] },
    { tags: ['customer', 'Urgent'] },
    true,
  ],
  [
    'StringNotContains clean',
    { operatorType: 'StringNotContains', key: 'data.s', values: ['contoso', 'fabrikam'] },
    { s: 'northwind' },
    true,
  ],
  [
    'StringNotContains hit',
    { operatorType: 'StringNotContains', key: 'data.s', values: ['contoso', 'fabrikam'] },
    { s: 'The FABRIKAM store' },
    false,
  ],
  [
    'StringNotContains missing does not match',
    { operatorType: 'StringNotContains', key: 'data.s', values: ['x'] },
    {},
    false,
  ],
  [
    'StringNotContains array one hit',
    { operatorType: 'StringNotContains', key: 'data.tags', values: ['urgent'] },
    { tags: ['a', 'urgent'] },
    false,
  ],
  [
    'StringNotContains array no hit',
    { operatorType: 'StringNotContains', key: 'data.tags', values: ['test'] },
    { tags: ['a', 'urgent'] },
    true,
  ],
  [
    'StringBeginsWith hit',
    { operatorType: 'StringBeginsWith', key: 'data.s', values: ['event', 'message'] },
    { s: 'Event hubs' },
    true,
  ],
  [
    'StringBeginsWith miss',
    { operatorType: 'StringBeginsWith', key: 'data.s', values: ['event'] },
    { s: 'the event' },
    false,
  ],
  [
    'StringBeginsWith missing',
    { operatorType: 'StringBeginsWith', key: 'data.s', values: ['event'] },
    {},
    false,
  ],
  [
    'StringNotBeginsWith clean',
    { operatorType: 'StringNotBeginsWith', key: 'data.s', values: ['event'] },
    { s: 'the event' },
    true,
  ],
  [
    'StringNotBeginsWith hit',
    { operatorType: 'StringNotBeginsWith', key: 'data.s', values: ['EVENT'] },
    { s: 'event hubs' },
    false,
  ],
  [
    'StringNotBeginsWith missing does not match',
    { operatorType: 'StringNotBeginsWith', key: 'data.s', values: ['e'] },
    {},
    false,
  ],
  [
    'StringEndsWith hit',
    { operatorType: 'StringEndsWith', key: 'data.s', values: ['jpg', 'png'] },
    { s: 'eventgrid.PNG' },
    true,
  ],
  [
    'StringEndsWith miss',
    { operatorType: 'StringEndsWith', key: 'data.s', values: ['jpg'] },
    { s: 'a.jpeg' },
    false,
  ],
  [
    'StringNotEndsWith clean',
    { operatorType: 'StringNotEndsWith', key: 'data.s', values: ['jpg'] },
    { s: 'a.jpeg' },
    true,
  ],
  [
    'StringNotEndsWith hit',
    { operatorType: 'StringNotEndsWith', key: 'data.s', values: ['jpg'] },
    { s: 'a.JPG' },
    false,
  ],
  [
    'StringNotEndsWith missing does not match',
    { operatorType: 'StringNotEndsWith', key: 'data.s', values: ['jpg'] },
    {},
    false,
  ],
  [
    'StringIn exact, any case',
    { operatorType: 'StringIn', key: 'data.s', values: ['contoso', 'fabrikam'] },
    { s: 'Fabrikam' },
    true,
  ],
  [
    'StringIn substring is not enough',
    { operatorType: 'StringIn', key: 'data.s', values: ['contoso'] },
    { s: 'contoso ltd' },
    false,
  ],
  ['StringIn missing', { operatorType: 'StringIn', key: 'data.s', values: ['contoso'] }, {}, false],
  [
    'StringIn on boolean text',
    { operatorType: 'StringIn', key: 'data.s', values: ['true'] },
    { s: true },
    true,
  ],
  [
    'StringNotIn clean',
    { operatorType: 'StringNotIn', key: 'data.s', values: ['aws', 'bridge'] },
    { s: 'azure' },
    true,
  ],
  [
    'StringNotIn hit',
    { operatorType: 'StringNotIn', key: 'data.s', values: ['aws', 'bridge'] },
    { s: 'AWS' },
    false,
  ],
  ['StringNotIn missing matches', { operatorType: 'StringNotIn', key: 'data.s', values: ['aws'] }, {}, true],
  [
    'StringNotIn array with hit',
    { operatorType: 'StringNotIn', key: 'data.s', values: ['aws'] },
    { s: ['azure', 'aws'] },
    false,
  ],
];

const nullCases: Case[] = [
  ['IsNullOrUndefined missing', { operatorType: 'IsNullOrUndefined', key: 'data.key1' }, { key2: 5 }, true],
  ['IsNullOrUndefined null', { operatorType: 'IsNullOrUndefined', key: 'data.key1' }, { key1: null }, true],
  ['IsNullOrUndefined value', { operatorType: 'IsNullOrUndefined', key: 'data.key1' }, { key1: 0 }, false],
  [
    'IsNullOrUndefined empty string',
    { operatorType: 'IsNullOrUndefined', key: 'data.key1' },
    { key1: '' },
    false,
  ],
  [
    'IsNullOrUndefined no data at all',
    { operatorType: 'IsNullOrUndefined', key: 'data.key1' },
    undefined,
    true,
  ],
  ['IsNotNull value', { operatorType: 'IsNotNull', key: 'data.key1' }, { key1: false }, true],
  ['IsNotNull null', { operatorType: 'IsNotNull', key: 'data.key1' }, { key1: null }, false],
  ['IsNotNull missing', { operatorType: 'IsNotNull', key: 'data.key1' }, {}, false],
  ['IsNotNull empty array is a value', { operatorType: 'IsNotNull', key: 'data.key1' }, { key1: [] }, true],
];

describe('advanced filter operators on data', () => {
  it.each([...numberCases, ...boolCases, ...stringCases, ...nullCases])(
    '%s',
    (_description, filter, data, expected) => {
      expect(passes(filter, event(data))).toBe(expected);
    },
  );

  it('covers all 19 operators', () => {
    const operators = new Set(
      [...numberCases, ...boolCases, ...stringCases, ...nullCases].map(([, f]) => f.operatorType),
    );
    expect(operators.size).toBe(19);
  });
});

describe('keys', () => {
  it('walks nested data paths, matching property names exactly first, then ignoring case', () => {
    const ev = event({ Order: { Total: 150, total: 1 } });
    expect(passes({ operatorType: 'NumberGreaterThan', key: 'data.Order.Total', value: 100 }, ev)).toBe(true);
    expect(passes({ operatorType: 'NumberGreaterThan', key: 'data.order.Total', value: 100 }, ev)).toBe(true);
    // `total` exists exactly, so it wins over `Total`.
    expect(passes({ operatorType: 'NumberLessThan', key: 'data.ORDER.total', value: 100 }, ev)).toBe(true);
    expect(passes({ operatorType: 'NumberGreaterThan', key: 'data.order.total', value: 100 }, ev)).toBe(
      false,
    );
    expect(passes({ operatorType: 'NumberGreaterThan', key: 'Data.order.missing', value: 0 }, ev)).toBe(
      false,
    );
  });

  it('walks through arrays of objects and matches when any element matches', () => {
    const ev = event({ items: [{ sku: 'A-1', qty: 1 }, { sku: 'B-2', qty: 9 }, { note: 'no sku' }] });
    expect(passes({ operatorType: 'StringIn', key: 'data.items.sku', values: ['b-2'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'NumberGreaterThan', key: 'data.items.qty', value: 5 }, ev)).toBe(true);
    expect(passes({ operatorType: 'NumberGreaterThan', key: 'data.items.qty', value: 10 }, ev)).toBe(false);
    expect(passes({ operatorType: 'StringNotIn', key: 'data.items.sku', values: ['A-1'] }, ev)).toBe(false);
    expect(passes({ operatorType: 'IsNotNull', key: 'data.items.weight' }, ev)).toBe(false);
  });

  it('reads CloudEvent attributes and extensions, case-insensitively by name', () => {
    const ev = event({}, { tenant: 'Contoso', priority: 5, urgent: true });
    expect(passes({ operatorType: 'StringIn', key: 'source', values: ['/SHOP'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'StringBeginsWith', key: 'Subject', values: ['/orders/'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'StringIn', key: 'type', values: ['order.created'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'StringIn', key: 'EventType', values: ['order.created'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'StringIn', key: 'id', values: ['E-1'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'StringIn', key: 'tenant', values: ['contoso'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'NumberIn', key: 'priority', values: [5] }, ev)).toBe(true);
    // Event Grid's own example: a string operator on an integer extension compares its text.
    expect(passes({ operatorType: 'StringBeginsWith', key: 'priority', values: ['5', '1'] }, ev)).toBe(true);
    expect(passes({ operatorType: 'BoolEquals', key: 'urgent', value: true }, ev)).toBe(true);
    expect(passes({ operatorType: 'IsNullOrUndefined', key: 'region' }, ev)).toBe(true);
    expect(passes({ operatorType: 'StringNotIn', key: 'region', values: ['eu'] }, ev)).toBe(true);
  });

  it('treats data that is not an object (a string, binary) as having no nested keys', () => {
    expect(passes({ operatorType: 'StringContains', key: 'data.a', values: ['x'] }, event('xyz'))).toBe(
      false,
    );
    expect(passes({ operatorType: 'StringContains', key: 'data', values: ['x'] }, event('xyz'))).toBe(true);
    const binary = { specversion: '1.0' as const, id: '1', source: 's', type: 't', data_base64: 'AAE=' };
    expect(passes({ operatorType: 'IsNullOrUndefined', key: 'data.a' }, binary)).toBe(true);
  });
});
