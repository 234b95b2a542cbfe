import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { emulatorConfigSchema, type EmulatorConfig } from './schema';

export type ValidConfig = z.infer<typeof emulatorConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `UserConfig.Namespaces[0].Queues[2].Properties.LockDuration` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Parses and validates a Config.json object or file; throws ConfigError naming each bad field. */
export function loadConfig(source: EmulatorConfig | string): ValidConfig {
  let raw: unknown = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(readFileSync(source, 'utf8'));
    } catch (error) {
      throw new ConfigError(`cannot read config ${source}: ${(error as Error).message}`);
    }
  }
  const parsed = emulatorConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${formatPath(issue.path) || '(root)'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid emulator config:\n  ${lines.join('\n  ')}`);
  }
  const names = new Set<string>();
  parsed.data.UserConfig.Namespaces.forEach((ns, nsIndex) => {
    const check = (name: string, where: string): void => {
      const key = name.toLowerCase();
      if (names.has(key))
        throw new ConfigError(`invalid emulator config:\n  ${where}.Name: duplicate entity name '${name}'`);
      names.add(key);
    };
    ns.Queues?.forEach((q, i) => check(q.Name, `UserConfig.Namespaces[${nsIndex}].Queues[${i}]`));
    ns.Topics?.forEach((t, i) => check(t.Name, `UserConfig.Namespaces[${nsIndex}].Topics[${i}]`));
  });
  return parsed.data;
}
