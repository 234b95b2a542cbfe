/**
 * The document GET /api/openapi.json serves: docs/openapi.json, which `npm run openapi` generates
 * from the registrations and zod schemas (shared/openapi/document.ts) and a test keeps current.
 * Served from the file because the running app cannot list its own registrations; imported
 * lazily (httpApi.ts) so that loading the app to generate the file never needs the file.
 */
import document from '../../docs/openapi.json';

export const servedOpenApi: unknown = document;
