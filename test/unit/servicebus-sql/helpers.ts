import { compileSqlFilter, type RuleMessage } from '../../../local/servicebus-emulator/sql';

/** A message with a few application properties and the given system properties. */
export function message(user: RuleMessage['user'] = {}, system: RuleMessage['system'] = {}): RuleMessage {
  return { system, user };
}

export function matches(expression: string, msg: RuleMessage = message()): boolean {
  return compileSqlFilter(expression)(msg);
}

/**
 * TRUE, FALSE or UNKNOWN for a predicate, told apart by the filter outcome of `p` and `NOT (p)`:
 * only UNKNOWN fails both (three-valued logic).
 */
export function truthOf(predicate: string, msg: RuleMessage = message()): 'TRUE' | 'FALSE' | 'UNKNOWN' {
  if (matches(predicate, msg)) return 'TRUE';
  if (matches(`NOT (${predicate})`, msg)) return 'FALSE';
  return 'UNKNOWN';
}
