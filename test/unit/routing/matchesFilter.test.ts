import type { CloudEventJson, SubscriptionFilter } from '../../../shared/domain/types';
import { compileFilter } from '../../../shared/routing/matchesFilter';

const matchesFilter = (filter: SubscriptionFilter, event: CloudEventJson): boolean =>
  compileFilter(filter)(event);

const order: CloudEventJson = {
  specversion: '1.0',
  id: 'e-1',
  source: '/shop',
  type: 'Order.Created',
  subject: '/Orders/42/lines.json',
  data: { total: 150, customer: { tier: 'gold' } },
};

describe('matchesFilter', () => {
  it('passes every event through an empty filter', () => {
    expect(matchesFilter({}, order)).toBe(true);
    expect(matchesFilter({ includedEventTypes: [], subjectBeginsWith: '', subjectEndsWith: '' }, order)).toBe(
      true,
    );
  });

  it('matches included event types case-insensitively', () => {
    expect(matchesFilter({ includedEventTypes: ['order.deleted', 'order.created'] }, order)).toBe(true);
    expect(matchesFilter({ includedEventTypes: ['order.deleted'] }, order)).toBe(false);
    expect(matchesFilter({ includedEventTypes: ['order'] }, order)).toBe(false);
  });

  it('matches subject prefix and suffix case-insensitively by default', () => {
    expect(matchesFilter({ subjectBeginsWith: '/orders/' }, order)).toBe(true);
    expect(matchesFilter({ subjectEndsWith: '.JSON' }, order)).toBe(true);
    expect(matchesFilter({ subjectBeginsWith: '/orders/', subjectEndsWith: '.xml' }, order)).toBe(false);
    expect(matchesFilter({ subjectBeginsWith: '/customers/' }, order)).toBe(false);
  });

  it('compares the subject exactly when isSubjectCaseSensitive', () => {
    expect(matchesFilter({ subjectBeginsWith: '/orders/', isSubjectCaseSensitive: true }, order)).toBe(false);
    expect(matchesFilter({ subjectBeginsWith: '/Orders/', isSubjectCaseSensitive: true }, order)).toBe(true);
    expect(matchesFilter({ subjectEndsWith: '.JSON', isSubjectCaseSensitive: true }, order)).toBe(false);
  });

  it('does not match a subject filter when the event has no subject', () => {
    const { subject: _subject, ...withoutSubject } = order;
    expect(matchesFilter({ subjectBeginsWith: '/' }, withoutSubject)).toBe(false);
    expect(matchesFilter({ subjectEndsWith: 'x' }, withoutSubject)).toBe(false);
  });

  it('ANDs advanced filters with types and subject', () => {
    const filter: SubscriptionFilter = {
      includedEventTypes: ['order.created'],
      subjectBeginsWith: '/orders/',
      advancedFilters: [
        { operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 },
        { operatorType: 'StringIn', key: 'data.customer.tier', values: ['silver', 'gold'] },
      ],
    };
    expect(matchesFilter(filter, order)).toBe(true);
    expect(matchesFilter(filter, { ...order, data: { total: 150, customer: { tier: 'bronze' } } })).toBe(
      false,
    );
    expect(matchesFilter(filter, { ...order, data: { total: 50, customer: { tier: 'gold' } } })).toBe(false);
    expect(matchesFilter(filter, { ...order, type: 'order.deleted' })).toBe(false);
  });

  it('gives the same answers from one compiled predicate as compiled per event', () => {
    const filter: SubscriptionFilter = {
      advancedFilters: [{ operatorType: 'NumberLessThan', key: 'data.total', value: 200 }],
    };
    const predicate = compileFilter(filter);
    expect(predicate(order)).toBe(true);
    expect(predicate({ ...order, data: { total: 250 } })).toBe(false);
    expect(matchesFilter(filter, { ...order, data: { total: 250 } })).toBe(false);
  });
});
