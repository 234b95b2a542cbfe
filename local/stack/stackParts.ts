/** The backing services npm start can run; each can instead be provided from outside. */
export const STACK_PARTS = ['servicebus', 'cosmos', 'azurite'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

/** The setting listing parts npm start must not start (their settings are used as they are). */
export const EXTERNAL_PARTS_SETTING = 'SWITCHYARD_STACK_EXTERNAL';

export class StackPartError extends Error {
  override name = 'StackPartError';
}

/** Parses `servicebus,cosmos` into parts; unknown names are an error listing the valid ones. Pure. */
export function parseExternalParts(value: string | undefined): StackPart[] {
  if (value === undefined || value.trim() === '') return [];
  return value
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '')
    .map((part) => {
      if (!(STACK_PARTS as readonly string[]).includes(part)) {
        throw new StackPartError(
          `${EXTERNAL_PARTS_SETTING}: unknown part "${part}" (valid: ${STACK_PARTS.join(', ')})`,
        );
      }
      return part as StackPart;
    });
}

/** Adds the loopback range to the SSRF allow-list so webhooks can reach the sample receiver. Pure. */
export function withLoopbackAllowed(cidrs: string | undefined): string {
  const list = (cidrs ?? '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter((cidr) => cidr !== '');
  return (list.includes('127.0.0.0/8') ? list : [...list, '127.0.0.0/8']).join(',');
}
