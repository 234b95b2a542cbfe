/** Reading and writing the properties a rule names, on a RuleMessage. */
import type { PropertyRef } from './ast';
import { SqlEvaluationError } from './errors';
import type { SystemPropertyInfo } from './systemProperties';
import type { RuleMessage, RuleSystemProperties, SqlValue } from './types';
import { fromUserValue, toText, toUserValue } from './values';

/** The key under which a user property is stored: exact spelling first, else any case. */
export function findUserKey(user: RuleMessage['user'], name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(user, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(user).find((key) => key.toLowerCase() === lower);
}

export function readSystem(message: RuleMessage, info: SystemPropertyInfo): SqlValue {
  const value =
    message.system[info.key] ?? (info.key === 'expiresAtUtc' ? derivedExpiry(message) : undefined);
  if (value === undefined || value === null) return null;
  return fromUserValue(value);
}

function derivedExpiry({ system }: RuleMessage): Date | undefined {
  if (system.enqueuedTimeUtc === undefined || system.timeToLive === undefined) return undefined;
  return new Date(system.enqueuedTimeUtc.getTime() + system.timeToLive);
}

export function readProperty(message: RuleMessage, ref: PropertyRef): SqlValue {
  if (ref.scope === 'sys') return readSystem(message, ref.info);
  const key = findUserKey(message.user, ref.name);
  return key === undefined ? null : fromUserValue(message.user[key]);
}

/** EXISTS: a user property counts even when its value is null; a system property when set. */
export function propertyExists(message: RuleMessage, ref: PropertyRef): boolean {
  if (ref.scope === 'sys') return readSystem(message, ref.info) !== null;
  return findUserKey(message.user, ref.name) !== undefined;
}

/** Writes `value` into a (copied) message; system values are converted to the property's type. */
export function writeProperty(message: RuleMessage, ref: PropertyRef, value: SqlValue): void {
  if (ref.scope === 'user') {
    const key = findUserKey(message.user, ref.name) ?? ref.name;
    message.user[key] = toUserValue(value);
    return;
  }
  const converted = toSystemValue(ref.info, value);
  const system = message.system as Record<keyof RuleSystemProperties, unknown>;
  if (converted === undefined) delete system[ref.info.key];
  else system[ref.info.key] = converted;
}

export function removeProperty(message: RuleMessage, ref: PropertyRef): void {
  if (ref.scope === 'sys') {
    delete message.system[ref.info.key];
    return;
  }
  const lower = ref.name.toLowerCase();
  for (const key of Object.keys(message.user)) {
    if (key.toLowerCase() === lower) delete message.user[key];
  }
}

function toSystemValue(info: SystemPropertyInfo, value: SqlValue): string | number | Date | undefined {
  if (value === null) return undefined;
  switch (info.type) {
    case 'string':
      return typeof value === 'string' ? value : toText(value);
    case 'integer':
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
      break;
    case 'date':
      if (value instanceof Date) return value;
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
      break;
  }
  throw new SqlEvaluationError(`Cannot convert ${typeof value} to the type of sys.${info.sqlName}`);
}
