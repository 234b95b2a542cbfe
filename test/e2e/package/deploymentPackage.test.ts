import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pruneToPackage, stageDeploymentFolder } from '../../../infra/package/deploymentPackage';
import { findMainFiles, readPackageMain } from '../../../local/devhost/app/findMainFiles';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from '../pipeline/harness';

/**
 * The package `azd deploy` uploads, unpacked as the platform unpacks it: built, staged and
 * filtered by the same code as `npm run package` (infra/package), in a temporary folder with
 * no node_modules above it, so every module resolves from the package or not at all.
 */
const REPO_ROOT = resolve(__dirname, '../../..');

/** package-lock.json entries (`node_modules/...` paths) and whether only devDependencies need them. */
function lockedPackages(): Array<{ path: string; dev: boolean; optional: boolean }> {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean; peer?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path]) => path.startsWith('node_modules/'))
    .map(([path, entry]) => ({
      path,
      dev: entry.dev === true,
      optional: entry.optional === true || entry.devOptional === true || entry.peer === true,
    }));
}

/** Requires each file in a fresh node process whose cwd is the package; returns the failures. */
function loadInChild(appDir: string, files: string[]): Promise<Array<{ file: string; error: string }>> {
  const script = `
    const failures = [];
    for (const file of process.argv.slice(1)) {
      try { require(file); } catch (error) { failures.push({ file, error: String(error && error.message || error).split('\\n')[0] }); }
    }
    process.stdout.write(JSON.stringify(failures));
    process.exit(0);`;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-e', script, ...files], {
      cwd: appDir,
      // No NODE_PATH or NODE_OPTIONS (jest's or a shell's): resolution sees the package only.
      env: { PATH: process.env.PATH ?? '', HOME: appDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        done(JSON.parse(stdout) as Array<{ file: string; error: string }>);
      } catch {
        fail(new Error(`loading the entry points exited with ${code}:\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe('the deployment package azd ships', () => {
  let workDir = '';
  let appDir = '';
  let files: string[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'switchyard-package-'));
    appDir = await stageDeploymentFolder({ projectRoot: REPO_ROOT, outDir: workDir });
    files = pruneToPackage(appDir);
  }, 600_000);
  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('is unpacked where no node_modules folder above it could lend a module', () => {
    const above: string[] = [];
    for (let dir = dirname(appDir); dir !== dirname(dir); dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules'))) above.push(dir);
    }
    expect(above).toEqual([]);
  });

  it('holds the built app and its production dependencies, and no devDependency', () => {
    expect(readdirSync(appDir).sort()).toEqual([
      'dist',
      'host.json',
      'node_modules',
      'package-lock.json',
      'package.json',
    ]);
    expect(files.some((file) => file.startsWith('dist/functions/'))).toBe(true);
    expect(files.filter((file) => file.endsWith('.ts') && !file.startsWith('node_modules/'))).toEqual([]);

    const packages = lockedPackages();
    const shippedDev = packages.filter((p) => p.dev && existsSync(join(appDir, p.path)));
    expect(shippedDev.map((p) => p.path)).toEqual([]);
    const missingProduction = packages.filter(
      (p) => !p.dev && !p.optional && !existsSync(join(appDir, p.path, 'package.json')),
    );
    expect(missingProduction.map((p) => p.path)).toEqual([]);
  });

  it('loads every entry point package.json main names, from the package alone', async () => {
    const entryPoints = findMainFiles(appDir, readPackageMain(appDir));
    const sources = readdirSync(join(REPO_ROOT, 'functions')).filter((name) => name.endsWith('.ts'));
    expect(entryPoints).toHaveLength(sources.length);
    expect(await loadInChild(appDir, entryPoints)).toEqual([]);
  }, 90_000);

  describe('running in the dev host against the local backing services', () => {
    let pipeline: Pipeline | undefined;
    afterAll(async () => {
      await pipeline?.stop();
    });

    it('delivers a published event to its webhook', async () => {
      pipeline = await startPipeline({ app: { root: appDir } });
      await pipeline.createWebhookSubscription('packaged', 'hook', '/packaged');
      const eventKey = await pipeline.publish('packaged', {
        id: 'p-1',
        source: '/package',
        type: 'package.checked',
      });
      const [request] = await waitFor('the webhook to receive the event', () => {
        const got = pipeline?.receiver.received('/packaged') ?? [];
        return got.length > 0 && got;
      });
      expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ id: 'p-1', type: 'package.checked' });
      const status = await waitFor('the delivery to be recorded', async () => {
        const current = await pipeline?.eventStatus(eventKey);
        return current?.deliveries[0]?.status === 'succeeded' && current;
      });
      expect(status.deliveries).toHaveLength(1);
    }, 120_000);

    it('serves its OpenAPI description, docs/openapi.json as committed, from the package', async () => {
      expect(files).toContain('dist/docs/openapi.json');
      const served = await pipeline!.api('GET', '/openapi.json');
      expect(served.status).toBe(200);
      expect(served.json).toEqual(JSON.parse(readFileSync(join(REPO_ROOT, 'docs/openapi.json'), 'utf8')));
    });
  });
});
