import { SETTINGS } from '../../shared/config/names';

/** The backing services npm start can run; each can instead be provided from outside. */
export const STACK_PARTS = ['servicebus', 'cosmos', 'azurite'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

/** The setting that decides each part, for messages. */
export const PART_SETTINGS: Record<StackPart, string> = {
  servicebus: SETTINGS.serviceBusConnection,
  cosmos: SETTINGS.cosmosConnection,
  azurite: SETTINGS.payloadStorageConnection,
};

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

/** What the stack allows when the setting is absent: loopback, where the sample receiver listens. */
export const DEFAULT_STACK_ALLOWED_CIDRS = '127.0.0.0/8';

/**
 * The SSRF allow-list the app gets. Absent: 127.0.0.0/8, so webhooks reach the sample receiver.
 * Given, even empty: exactly that, so the guard can be tried locally as it runs in Azure (empty
 * allows no private range at all; the sample subscription is then refused). Pure.
 */
export function stackAllowedCidrs(setting: string | undefined): string {
  return setting === undefined ? DEFAULT_STACK_ALLOWED_CIDRS : setting.trim();
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;

function field(connectionString: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]+)`, 'i').exec(connectionString);
  return match?.[1]?.trim();
}

function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOST.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

function present(settings: Record<string, string | undefined>, name: string): string | undefined {
  const value = settings[name]?.trim();
  return value ? value : undefined;
}

/**
 * Parts whose settings point somewhere other than this machine: a real namespace, account or
 * storage account, or an identity-based connection. The stack leaves those alone, so a part is
 * swapped for the real service by its setting alone. Pure.
 */
export function externalBySettings(settings: Record<string, string | undefined>): StackPart[] {
  const parts: StackPart[] = [];
  const serviceBus = present(settings, SETTINGS.serviceBusConnection);
  const serviceBusEndpoint = serviceBus === undefined ? undefined : field(serviceBus, 'Endpoint');
  if (
    serviceBus === undefined
      ? present(settings, `${SETTINGS.serviceBusConnection}__fullyQualifiedNamespace`) !== undefined
      : serviceBusEndpoint !== undefined && !isLoopbackUrl(serviceBusEndpoint)
  ) {
    parts.push('servicebus');
  }
  const cosmos = present(settings, SETTINGS.cosmosConnection);
  const cosmosEndpoint = cosmos === undefined ? undefined : field(cosmos, 'AccountEndpoint');
  if (
    cosmos === undefined
      ? present(settings, `${SETTINGS.cosmosConnection}__accountEndpoint`) !== undefined
      : cosmosEndpoint !== undefined && !isLoopbackUrl(cosmosEndpoint)
  ) {
    parts.push('cosmos');
  }
  const storage = present(settings, SETTINGS.payloadStorageConnection);
  if (storage === undefined) {
    if (present(settings, `${SETTINGS.payloadStorageConnection}__blobServiceUri`) !== undefined) {
      parts.push('azurite');
    }
  } else if (!/UseDevelopmentStorage\s*=\s*true/i.test(storage)) {
    const blobEndpoint = field(storage, 'BlobEndpoint');
    if (blobEndpoint === undefined || !isLoopbackUrl(blobEndpoint)) parts.push('azurite');
  }
  return parts;
}
