import { z } from 'zod';

import type { AdvancedFilter, AdvancedFilterOperator } from '../domain/types';
import { SUBSCRIPTION_LIMITS } from './limits';

const OPERATORS = [
  'NumberIn',
  'NumberNotIn',
  'NumberLessThan',
  'NumberGreaterThan',
  'NumberLessThanOrEquals',
  'NumberGreaterThanOrEquals',
  'NumberInRange',
  'NumberNotInRange',
  'BoolEquals',
  'StringContains',
  'StringNotContains',
  'StringBeginsWith',
  'StringNotBeginsWith',
  'StringEndsWith',
  'StringNotEndsWith',
  'StringIn',
  'StringNotIn',
  'IsNullOrUndefined',
  'IsNotNull',
] as const satisfies readonly AdvancedFilterOperator[];

/** What each operator takes, as Event Grid defines it. */
type Operand = 'number' | 'boolean' | 'numbers' | 'ranges' | 'strings' | 'none';

const OPERAND: Readonly<Record<AdvancedFilterOperator, Operand>> = {
  NumberIn: 'numbers',
  NumberNotIn: 'numbers',
  NumberLessThan: 'number',
  NumberGreaterThan: 'number',
  NumberLessThanOrEquals: 'number',
  NumberGreaterThanOrEquals: 'number',
  NumberInRange: 'ranges',
  NumberNotInRange: 'ranges',
  BoolEquals: 'boolean',
  StringContains: 'strings',
  StringNotContains: 'strings',
  StringBeginsWith: 'strings',
  StringNotBeginsWith: 'strings',
  StringEndsWith: 'strings',
  StringNotEndsWith: 'strings',
  StringIn: 'strings',
  StringNotIn: 'strings',
  IsNullOrUndefined: 'none',
  IsNotNull: 'none',
};

/** `data`, `data.a.b`, or a CloudEvent attribute / extension name (`subject`, `tenant`). */
const KEY = /^(?:data(?:\.[^.]+)*|[a-z0-9]+)$/i;

const filterValue = z.union([z.number(), z.boolean(), z.string(), z.array(z.unknown())]);

export const advancedFilterSchema = z
  .strictObject({
    operatorType: z.enum(OPERATORS, { error: `operatorType must be one of ${OPERATORS.join(', ')}` }),
    key: z
      .string({ error: 'key is required' })
      .regex(
        KEY,
        'key must be a CloudEvent attribute name (such as subject or an extension) or a data path such as data.order.total',
      ),
    value: filterValue.exactOptional(),
    values: z.array(filterValue, { error: 'values must be an array' }).exactOptional(),
  })
  .superRefine((filter, ctx) => {
    const operand = OPERAND[filter.operatorType];
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const single = operand === 'number' || operand === 'boolean';
    if (single || operand === 'none') {
      if (filter.values !== undefined)
        issue(['values'], `${filter.operatorType} takes ${single ? '"value", not "values"' : 'no values'}`);
      if (operand === 'none' && filter.value !== undefined)
        issue(['value'], `${filter.operatorType} takes no value`);
      if (operand === 'number' && !isFiniteNumber(filter.value))
        issue(['value'], `${filter.operatorType} needs a number "value"`);
      if (operand === 'boolean' && typeof filter.value !== 'boolean')
        issue(['value'], 'BoolEquals needs a boolean "value"');
      return;
    }
    if (filter.value !== undefined)
      issue(['value'], `${filter.operatorType} takes "values" (an array), not "value"`);
    const values = filter.values;
    if (values === undefined || values.length === 0) {
      issue(['values'], `${filter.operatorType} needs a non-empty "values" array`);
      return;
    }
    if (values.length > SUBSCRIPTION_LIMITS.advancedFilterValues) {
      issue(['values'], `at most ${SUBSCRIPTION_LIMITS.advancedFilterValues} values per subscription`);
    }
    values.forEach((value, index) => {
      const problem = operandProblem(operand, value);
      if (problem) issue(['values', index], problem);
    });
  })
  .transform((filter): AdvancedFilter => {
    const out: AdvancedFilter = { operatorType: filter.operatorType, key: filter.key };
    if (filter.value !== undefined) out.value = filter.value as NonNullable<AdvancedFilter['value']>;
    if (filter.values !== undefined) out.values = filter.values as NonNullable<AdvancedFilter['values']>;
    return out;
  });

/** How many values a filter counts towards the per-subscription limit (Event Grid counts a bare value as one). */
export function filterValueCount(filter: AdvancedFilter): number {
  return filter.values?.length ?? (filter.value === undefined ? 0 : 1);
}

function operandProblem(operand: Operand, value: unknown): string | undefined {
  switch (operand) {
    case 'numbers':
      return isFiniteNumber(value) ? undefined : 'must be a number';
    case 'strings':
      if (typeof value !== 'string') return 'must be a string';
      if (value.length > SUBSCRIPTION_LIMITS.filterStringLength)
        return `must be at most ${SUBSCRIPTION_LIMITS.filterStringLength} characters`;
      return undefined;
    case 'ranges': {
      if (
        !Array.isArray(value) ||
        value.length !== 2 ||
        !isFiniteNumber(value[0]) ||
        !isFiniteNumber(value[1])
      ) {
        return 'must be a range [low, high] of two numbers';
      }
      return value[0] <= value[1] ? undefined : 'range low must not be greater than high';
    }
    default:
      return undefined;
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
