import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = join(__dirname, '../../..');

/** `npm run cli:types -- --check [file]`: openapi-typescript is partly ES modules, out of jest's reach. */
function check(...file: string[]): Promise<{ code: number; stderr: string }> {
  return promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'cli/api/generate.ts', '--check', ...file],
    {
      cwd: REPO_ROOT,
      timeout: 60_000,
    },
  ).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? '' }),
  );
}

describe('cli/api/schema.ts, the CLI client types', () => {
  it('is what npm run cli:types makes of docs/openapi.json, and the check fails on a stale copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-types-'));
    try {
      // A route renamed in the API but not regenerated.
      const stale = join(dir, 'schema.ts');
      const current = readFileSync(join(REPO_ROOT, 'cli/api/schema.ts'), 'utf8');
      writeFileSync(stale, current.replace("'/events/{eventKey}'", "'/events/{key}'"));
      const [committed, outdated] = await Promise.all([check(), check(stale)]);
      expect(committed).toEqual({ code: 0, stderr: '' });
      expect(outdated.code).toBe(1);
      expect(outdated.stderr).toContain('run npm run cli:types');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
