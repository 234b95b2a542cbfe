import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { buildOpenApiDocument } from '../../shared/openapi/document';
import { loadHttpRegistrations } from './registrations';

/** The app's functions, the way package.json `main` names them, from source. */
const APP_FILES = 'functions/*.ts';

/**
 * docs/openapi.json as it should read: the document for the registrations under `appRoot`,
 * formatted the way prettier formats the repository (so format:check accepts it).
 */
export async function openApiText(appRoot: string): Promise<string> {
  const { functions, routePrefix } = loadHttpRegistrations(appRoot, APP_FILES);
  const { version } = JSON.parse(readFileSync(resolve(appRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const document = buildOpenApiDocument(functions, { version, routePrefix });
  const output = resolve(appRoot, 'docs/openapi.json');
  return format(JSON.stringify(document), { ...(await resolveConfig(output)), filepath: output });
}
