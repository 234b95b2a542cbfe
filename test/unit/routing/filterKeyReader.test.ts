import type { CloudEventJson } from '../../../shared/domain/types';
import { compileKeyReader } from '../../../shared/routing/filterKeyReader';

const event: CloudEventJson = {
  specversion: '1.0',
  id: 'e-1',
  source: '/shop',
  type: 'order.created',
  subject: '/orders/42',
  tenant: 'contoso',
  data: {
    total: 120,
    Customer: { Tier: 'gold' },
    note: null,
    items: [{ sku: 'a', tags: ['x', 'y'] }, { sku: 'b' }, { sku: null }],
    matrix: [
      [1, 2],
      [3, null],
    ],
  },
};

const read = (key: string) => compileKeyReader(key)(event);

describe('filter key reader', () => {
  it('reads context attributes and extensions case-insensitively, with Event Grid aliases', () => {
    expect(read('subject')).toEqual({ present: true, values: ['/orders/42'] });
    expect(read('Subject')).toEqual({ present: true, values: ['/orders/42'] });
    expect(read('tenant')).toEqual({ present: true, values: ['contoso'] });
    expect(read('EventType')).toEqual({ present: true, values: ['order.created'] });
    expect(read('eventid')).toEqual({ present: true, values: ['e-1'] });
  });

  it('walks data paths, exact names first, then ignoring case', () => {
    expect(read('data.total')).toEqual({ present: true, values: [120] });
    expect(read('Data.customer.tier')).toEqual({ present: true, values: ['gold'] });
  });

  it('reports missing and null keys as not present', () => {
    expect(read('data.nothing')).toEqual({ present: false, values: [] });
    expect(read('data.note')).toEqual({ present: false, values: [] });
    expect(read('data.total.deeper')).toEqual({ present: false, values: [] });
    expect(read('dataschema')).toEqual({ present: false, values: [] });
  });

  it('walks arrays element by element and flattens what it finds, dropping nulls', () => {
    expect(read('data.items.sku')).toEqual({ present: true, values: ['a', 'b'] });
    expect(read('data.items.tags')).toEqual({ present: true, values: ['x', 'y'] });
    expect(read('data.matrix')).toEqual({ present: true, values: [1, 2, 3] });
    expect(read('data.items.price')).toEqual({ present: false, values: [] });
  });

  it('returns a whole object when the key stops at one', () => {
    expect(read('data.customer')).toEqual({ present: true, values: [{ Tier: 'gold' }] });
  });
});
