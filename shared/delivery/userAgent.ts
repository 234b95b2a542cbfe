import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `Switchyard/<version>` from the project's package.json, found by walking up from this file so it
 * works from the sources and from dist/ alike (importing the JSON would copy it into dist/).
 */
export function switchyardUserAgent(): string {
  return `Switchyard/${findVersion(__dirname) ?? '0.0.0'}`;
}

function findVersion(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
        if (manifest.name === 'switchyard' && typeof manifest.version === 'string') return manifest.version;
      } catch {
        // An unreadable manifest on the way up is not ours; keep looking.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
