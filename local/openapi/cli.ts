/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI description of the app's HTTP API,
 * from its registrations (functions/*.ts) and zod schemas. `--check` writes nothing and exits 1
 * when the committed file differs from what would be written (the drift test runs it);
 * `--stdout` prints the document instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openApiText } from './generate';

const REPO_ROOT = resolve(__dirname, '../..');
const OUTPUT = resolve(REPO_ROOT, 'docs/openapi.json');

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, stdout: { type: 'boolean' } } });
  const text = await openApiText(REPO_ROOT);
  if (values.stdout) {
    process.stdout.write(text);
    return 0;
  }
  if (values.check) {
    let committed = '';
    try {
      committed = readFileSync(OUTPUT, 'utf8');
    } catch {
      // Missing counts as different.
    }
    if (committed === text) return 0;
    process.stderr.write('docs/openapi.json is out of date: run `npm run openapi` and commit it.\n');
    return 1;
  }
  writeFileSync(OUTPUT, text);
  process.stdout.write(`Wrote ${OUTPUT}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
