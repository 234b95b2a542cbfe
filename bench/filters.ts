/**
 * Speed of routing's filter check, apart from any I/O: one compiled subscription filter (event
 * type, a numeric and a string advanced filter) against one event, many times. Not a test: the
 * unit tests say what a filter matches; this says how fast, on this machine, now.
 * Usage: npm run bench:filters [-- --checks N]
 */
import { parseArgs } from 'node:util';
import type { CloudEventJson, SubscriptionFilter } from '../shared/domain/types';
import { compileFilter } from '../shared/routing/matchesFilter';

const { values } = parseArgs({ options: { checks: { type: 'string', default: '100000' } } });
const checks = Number(values.checks);
if (!Number.isInteger(checks) || checks < 1)
  throw new Error(`--checks must be a positive integer, not "${values.checks}"`);

// An event that passes every check, so each check runs to the end.
const event: CloudEventJson = {
  specversion: '1.0',
  type: 'order.created',
  source: '/bench',
  id: 'bench-1',
  data: { total: 250, customer: { tier: 'gold', region: 'eu' } },
};
const filter: SubscriptionFilter = {
  includedEventTypes: ['order.created'],
  advancedFilters: [
    { operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 },
    { operatorType: 'StringIn', key: 'data.customer.tier', values: ['gold'] },
  ],
};

const predicate = compileFilter(filter);
const started = performance.now();
let matched = 0;
for (let i = 0; i < checks; i++) if (predicate(event)) matched++;
const elapsedMs = performance.now() - started;
if (matched !== checks) throw new Error(`expected every check to match, ${matched}/${checks} did`);
console.log(
  `${checks} filter checks in ${elapsedMs.toFixed(1)} ms: ${Math.round(checks / (elapsedMs / 1000)).toLocaleString('en')} checks/s`,
);
