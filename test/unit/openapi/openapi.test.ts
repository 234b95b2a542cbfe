/**
 * The OpenAPI description (docs/openapi.json) against the code: it is what `npm run openapi`
 * generates now (drift), a valid OpenAPI 3.1 document for an independent validator, and it
 * describes every HTTP function that functions/*.ts registers, with its methods and access.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { declaredAccess } from '../../../shared/app/access';

const REPO_ROOT = resolve(__dirname, '../../..');
const DOCUMENT_PATH = join(REPO_ROOT, 'docs/openapi.json');
/** @seriousme/openapi-schema-validator's own command line: an ES module, so it runs as a child. */
const VALIDATOR_CLI = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');

interface Registration {
  name: string;
  methods: string[];
  route: string;
  handler: object;
}

/** What functions/*.ts register, read with a stand-in for @azure/functions' `app`. */
jest.mock('@azure/functions', () => {
  const registered: Array<{ name: string; methods: string[]; route: string; handler: object }> = [];
  const http =
    (method: string) => (name: string, options: { route?: string; methods?: string[]; handler: object }) => {
      registered.push({
        name,
        methods: method === 'HTTP' ? (options.methods ?? ['GET', 'POST']) : [method],
        route: options.route ?? name,
        handler: options.handler,
      });
    };
  const ignored = () => undefined;
  return {
    registered,
    app: {
      get: http('GET'),
      put: http('PUT'),
      post: http('POST'),
      patch: http('PATCH'),
      deleteRequest: http('DELETE'),
      http: http('HTTP'),
      serviceBusQueue: ignored,
      serviceBusTopic: ignored,
      timer: ignored,
      hook: { appStart: ignored, appTerminate: ignored },
    },
  };
});

interface Registration {
  name: string;
  methods: string[];
  route: string;
  handler: object;
}

interface Operation {
  operationId: string;
  security: Array<Record<string, unknown>>;
  'x-switchyard-permission'?: string;
  responses: Record<string, unknown>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const committed = () => readFileSync(DOCUMENT_PATH, 'utf8');

function runNode(args: string[]) {
  const result = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('docs/openapi.json', () => {
  let registrations: Registration[] = [];
  beforeAll(() => {
    for (const file of readdirSync(join(REPO_ROOT, 'functions')).filter((name) => name.endsWith('.ts'))) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(REPO_ROOT, 'functions', file));
    }
    registrations = jest.requireMock<{ registered: Registration[] }>('@azure/functions').registered;
  });

  it('is what npm run openapi generates from the code now (run it and commit the file)', () => {
    const check = runNode(['--import', 'tsx', 'local/openapi/cli.ts', '--check']);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  }, 120_000);

  it('passes an independent OpenAPI 3.1 validator', () => {
    const result = runNode([VALIDATOR_CLI, DOCUMENT_PATH]);
    expect(JSON.parse(result.output)).toEqual({ valid: true });
    expect(result.status).toBe(0);
  }, 120_000);

  it('would fail that validator if it were broken (the check can fail)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchyard-openapi-'));
    try {
      const broken = JSON.parse(committed()) as Document & { info: Record<string, unknown> };
      delete broken.info.version;
      const file = join(directory, 'openapi.json');
      writeFileSync(file, JSON.stringify(broken));
      expect(runNode([VALIDATOR_CLI, file]).status).toBe(1);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 120_000);

  it('describes every registered HTTP function with its methods and declared access, and nothing else', () => {
    expect(registrations.length).toBeGreaterThanOrEqual(16);
    const document = JSON.parse(committed()) as Document;
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
    );
    const expected = registrations.flatMap((fn) =>
      fn.methods.map((method) => ({
        path: `/${fn.route.replace(/\{([A-Za-z0-9_]+)[^}]*\}/g, '{$1}')}`,
        method: method.toLowerCase(),
        operationId: fn.methods.length > 1 ? `${fn.name}_${method.toLowerCase()}` : fn.name,
        access: declaredAccess(fn.handler),
      })),
    );
    expect(described.map(({ path, method }) => `${method} ${path}`).sort()).toEqual(
      expected.map(({ path, method }) => `${method} ${path}`).sort(),
    );
    for (const fn of expected) {
      const operation = document.paths[fn.path]?.[fn.method];
      expect(operation?.operationId).toBe(fn.operationId);
      expect(fn.access).toBeDefined();
      if (fn.access === 'anonymous') {
        expect(operation?.security).toEqual([]);
        expect(operation?.responses['401']).toBeUndefined();
      } else {
        expect(operation?.['x-switchyard-permission']).toBe(fn.access?.permission);
        expect(operation?.security.length).toBeGreaterThan(0);
        expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
  });
});
