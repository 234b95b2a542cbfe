import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  extractPackage,
  pruneToPackage,
  zipDeploymentFolder,
} from '../../../infra/package/deploymentPackage';
import { ignoreFileExcludesNodeModules, packageFilter } from '../../../infra/package/packageRules';

/**
 * The rules azd applies when it zips the app folder (infra/package/packageRules.ts), and the zip
 * itself. test/e2e/package runs the real package; these pin down the rules on small inputs.
 */
const repo = join(__dirname, '..', '..', '..');
const funcignore = readFileSync(join(repo, '.funcignore'), 'utf8');
const patterns = funcignore
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

describe('.funcignore', () => {
  it('anchors every entry to the root, so no dependency loses a folder that shares a name', () => {
    expect(patterns.length).toBeGreaterThan(5);
    expect(patterns.filter((pattern) => !/^!?\//.test(pattern))).toEqual([]);
  });

  it('leaves out the repository-only folders and sources, and keeps the app and node_modules', () => {
    const include = packageFilter(funcignore);
    for (const dir of [
      'infra',
      'local',
      'cli',
      'test',
      'docs',
      'bench',
      '.git',
      '.github',
      '.package',
      'coverage',
    ]) {
      expect({ dir, included: include(dir, true) }).toEqual({ dir, included: false });
    }
    for (const file of [
      'functions/publish.ts',
      'shared/app/context.ts',
      'README.md',
      'azure.yaml',
      'tsconfig.json',
    ]) {
      expect({ file, included: include(file, false) }).toEqual({ file, included: false });
    }
    for (const dir of [
      'node_modules',
      'dist',
      'node_modules/undici/lib/web/infra',
      'node_modules/a/test',
      'node_modules/a/docs',
      'node_modules/a/local',
    ]) {
      expect({ dir, included: include(dir, true) }).toEqual({ dir, included: true });
    }
    for (const file of [
      'package.json',
      'package-lock.json',
      'host.json',
      'dist/functions/publish.js',
      'node_modules/a/README.md',
      'node_modules/a/index.d.ts',
    ]) {
      expect({ file, included: include(file, false) }).toEqual({ file, included: true });
    }
    expect(ignoreFileExcludesNodeModules(funcignore)).toBe(false);
  });
});

describe('azd packaging rules', () => {
  it('matches an unanchored name at every depth, as gitignore does (the issue 11 failure)', () => {
    expect(packageFilter('infra\n')('node_modules/undici/lib/web/infra', true)).toBe(false);
    expect(packageFilter('/infra\n')('node_modules/undici/lib/web/infra', true)).toBe(true);
  });

  it('always leaves out .azure folders, the ignore file and local.settings.json, at any depth', () => {
    const include = packageFilter('');
    expect(include('.azure', true)).toBe(false);
    expect(include('a/.azure', true)).toBe(false);
    expect(include('.funcignore', false)).toBe(false);
    expect(include('local.settings.json', false)).toBe(false);
    expect(include('a/local.settings.json', false)).toBe(false);
    expect(include('local.settings.example.json', false)).toBe(true);
  });

  it('switches to remote build when node_modules is excluded, however it is written', () => {
    for (const text of ['node_modules', 'node_modules/', '/node_modules', '\uFEFFnode_modules']) {
      expect({ text, excluded: ignoreFileExcludesNodeModules(text) }).toEqual({ text, excluded: true });
    }
    expect(ignoreFileExcludesNodeModules('/dist/node_modules\n')).toBe(false);
  });
});

describe('the zip', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-zip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(path: string, text: string) {
    mkdirSync(dirname(join(dir, 'app', path)), { recursive: true });
    writeFileSync(join(dir, 'app', path), text);
  }

  it('holds what the rules let through, links stored as the files they point at, and unpacks to the same', async () => {
    write('.funcignore', '/secret\n*.log\n');
    write('package.json', '{}');
    write('secret/key.txt', 'no');
    write('lib/secret/kept.txt', 'nested, so kept');
    write('lib/debug.log', 'no');
    write('lib/local.settings.json', 'no');
    write('.azure/env/.env', 'no');
    symlinkSync('package.json', join(dir, 'app', 'alias.json'));

    const built = await zipDeploymentFolder(join(dir, 'app'), join(dir, 'out', 'app.zip'));
    expect(built.files).toEqual(['alias.json', 'lib/secret/kept.txt', 'package.json']);
    expect(built.sizeBytes).toBeGreaterThan(0);

    await extractPackage(built.zipPath, join(dir, 'unpacked'));
    expect(readFileSync(join(dir, 'unpacked', 'lib', 'secret', 'kept.txt'), 'utf8')).toBe('nested, so kept');
    expect(readFileSync(join(dir, 'unpacked', 'alias.json'), 'utf8')).toBe('{}');

    // Pruning the folder in place leaves exactly what the zip holds.
    expect(pruneToPackage(join(dir, 'app'))).toEqual(built.files);
  });
});
