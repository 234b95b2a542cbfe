import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { IGNORE_FILE, ignoreFileExcludesNodeModules, packageFilter } from './packageRules';

/**
 * The deployment package of the Functions app, built the way `azd deploy` builds it with the
 * settings in azure.yaml (local build, `remoteBuild: false`, `dist: .package/app`):
 *
 * 1. `npm run build` compiles functions/ and shared/ to dist/.
 * 2. The app folder `.package/app` gets the project files that .funcignore lets through, the
 *    .funcignore itself, and the production dependencies (`npm ci --omit=dev`).
 * 3. That folder is zipped with azd's rules: .funcignore (gitignore semantics) plus azd's fixed
 *    exclusions. This module does step 3 only for `npm run package`; under azd, azd does it.
 *
 * Steps 1 and 2 run in azd as the service's `prepackage` hook (`npm run package -- --stage-only`).
 */

export interface StageOptions {
  /** The project: package.json, package-lock.json, .funcignore. */
  projectRoot: string;
  /** Where the app folder (`<outDir>/app`) and the zip go. Default `<projectRoot>/.package`. */
  outDir?: string;
  /**
   * Where production installs are cached, one per package.json + package-lock.json content.
   * Default `<projectRoot>/.package/cache` (git-ignored).
   */
  cacheDir?: string;
  /** Run `npm run build` first (default true). */
  build?: boolean;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

export interface DeploymentPackage {
  /** The zip azd uploads. */
  zipPath: string;
  /** The folder it was made from (`<outDir>/app`). */
  appDir: string;
  sizeBytes: number;
  /** Paths inside the zip, `/`-separated, sorted. */
  files: string[];
}

export const APP_FOLDER = 'app';
export const ZIP_NAME = 'switchyard-api.zip';

/** Builds and stages the app folder; returns its path. */
export async function stageDeploymentFolder(options: StageOptions): Promise<string> {
  const projectRoot = resolve(options.projectRoot);
  const outDir = resolve(options.outDir ?? join(projectRoot, '.package'));
  const cacheDir = resolve(options.cacheDir ?? join(projectRoot, '.package', 'cache'));
  const log = options.log ?? (() => undefined);

  const ignoreText = readFileSync(join(projectRoot, IGNORE_FILE), 'utf8');
  if (ignoreFileExcludesNodeModules(ignoreText)) {
    // azd refuses `remoteBuild: false` with such a file, and the app would ship without dependencies.
    throw new Error(
      `${IGNORE_FILE} excludes node_modules, but the package is built locally (remoteBuild: false).`,
    );
  }

  if (options.build ?? true) {
    log('npm run build');
    await npm(['run', 'build'], projectRoot);
  }

  const appDir = join(outDir, APP_FOLDER);
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });

  // Project files, less what .funcignore leaves out. node_modules is installed below, and the
  // output and cache folders are never part of the project.
  const include = packageFilter(ignoreText);
  const skip = new Set([join(projectRoot, 'node_modules'), join(projectRoot, '.git'), outDir, cacheDir]);
  copyTree(projectRoot, appDir, (path, isDirectory) => {
    if (skip.has(path)) return false;
    return include(toPackagePath(relative(projectRoot, path)), isDirectory);
  });
  // azd reads the ignore file from the folder it zips, so it travels with the app folder.
  copyFileSync(join(projectRoot, IGNORE_FILE), join(appDir, IGNORE_FILE));

  const productionModules = await productionInstall(projectRoot, cacheDir, log);
  log('linking production dependencies into the app folder');
  linkTree(productionModules, join(appDir, 'node_modules'));
  return appDir;
}

/** Zips a staged app folder exactly as azd does (its .funcignore plus azd's fixed exclusions). */
export async function zipDeploymentFolder(appDir: string, zipPath: string): Promise<DeploymentPackage> {
  const ignorePath = join(appDir, IGNORE_FILE);
  const include = packageFilter(existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined);
  const files = listFiles(appDir, include);
  mkdirSync(dirname(zipPath), { recursive: true });
  const zip = new yazl.ZipFile();
  // A fixed time keeps the zip identical for identical content.
  const mtime = new Date('2020-01-01T00:00:00Z');
  for (const file of files) zip.addFile(join(appDir, ...file.split('/')), file, { mtime });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));
  return { zipPath, appDir, sizeBytes: statSync(zipPath).size, files };
}

/**
 * Removes from a staged app folder everything the zip would leave out, so the folder holds
 * exactly what the platform unpacks (without writing and reading a 70 MB zip of ~60,000 files).
 * Returns the files that remain, as `zipDeploymentFolder` lists them.
 * @public (the package tests check what azd uploads with it)
 */
export function pruneToPackage(appDir: string): string[] {
  const ignorePath = join(appDir, IGNORE_FILE);
  const include = packageFilter(existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : undefined);
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const relativePath = prefix ? `${prefix}/${name}` : name;
      const isDirectory = statSync(path).isDirectory();
      if (!include(relativePath, isDirectory)) rmSync(path, { recursive: true, force: true });
      else if (isDirectory) walk(path, relativePath);
    }
  };
  walk(appDir, '');
  return listFiles(appDir, () => true);
}

/** `npm run package`: build, stage and zip. */
export async function buildDeploymentPackage(options: StageOptions): Promise<DeploymentPackage> {
  const appDir = await stageDeploymentFolder(options);
  options.log?.('zipping');
  return zipDeploymentFolder(appDir, join(dirname(appDir), ZIP_NAME));
}

/** Unpacks a package into `targetDir`, as the platform does before it starts the app. * @public (the package tests check what azd uploads with it)
 */
export async function extractPackage(zipPath: string, targetDir: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((done, fail) =>
    // yauzl rejects absolute and `..` entry names (validateFileName), so nothing lands outside.
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (error, file) =>
      error ? fail(error) : done(file),
    ),
  );
  await new Promise<void>((done, fail) => {
    zip.on('error', fail);
    zip.on('end', done);
    zip.on('entry', (entry: yauzl.Entry) => {
      const target = join(targetDir, ...entry.fileName.split('/'));
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        zip.readEntry();
        return;
      }
      mkdirSync(dirname(target), { recursive: true });
      zip.openReadStream(entry, (error, stream) => {
        if (error) return fail(error);
        pipeline(stream, createWriteStream(target)).then(() => zip.readEntry(), fail);
      });
    });
    zip.readEntry();
  });
}

/**
 * `<cacheDir>/production-<hash>/node_modules`: `npm ci --omit=dev` of this package.json and
 * package-lock.json, made once per content and reused (an install takes about a minute).
 */
async function productionInstall(
  projectRoot: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<string> {
  const manifest = readFileSync(join(projectRoot, 'package.json'));
  const lock = readFileSync(join(projectRoot, 'package-lock.json'));
  const key = createHash('sha256').update(manifest).update('\0').update(lock).digest('hex').slice(0, 16);
  const installDir = join(cacheDir, `production-${key}`);
  const modules = join(installDir, 'node_modules');
  if (existsSync(join(installDir, '.complete'))) return modules;

  log(`npm ci --omit=dev (cached in ${relative(projectRoot, installDir) || installDir})`);
  mkdirSync(cacheDir, { recursive: true });
  const scratch = join(cacheDir, `install-${randomUUID()}`);
  mkdirSync(scratch);
  try {
    copyFileSync(join(projectRoot, 'package.json'), join(scratch, 'package.json'));
    copyFileSync(join(projectRoot, 'package-lock.json'), join(scratch, 'package-lock.json'));
    await npm(['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], scratch);
    copyFileSync(join(scratch, 'package.json'), join(scratch, '.complete'));
    // Older installs are of other lock files; keep only the current one.
    for (const entry of readdirSync(cacheDir)) {
      if (entry.startsWith('production-')) rmSync(join(cacheDir, entry), { recursive: true, force: true });
    }
    try {
      renameSync(scratch, installDir);
    } catch (error) {
      // Another run finished the same install first; theirs is as good as ours.
      if (!existsSync(join(installDir, '.complete'))) throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return modules;
}

function npm(args: string[], cwd: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('npm', args, {
      cwd,
      // npm is a .cmd script on Windows, which spawn runs only through a shell.
      shell: process.platform === 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0
        ? done()
        : fail(new Error(`npm ${args.join(' ')} failed (exit ${code}) in ${cwd}:\n${output}`)),
    );
  });
}

function toPackagePath(relativePath: string): string {
  return relativePath.split(sep).join('/');
}

/** Copies the files under `from` that `include` accepts; a directory it rejects is skipped whole. */
function copyTree(from: string, to: string, include: (path: string, isDirectory: boolean) => boolean): void {
  for (const entry of readdirSync(from, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const source = join(from, entry.name);
    const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && statSync(source).isDirectory());
    if (!include(source, isDirectory)) continue;
    const target = join(to, entry.name);
    if (isDirectory) copyTree(source, target, include);
    else {
      // Folders are made for the files they hold: a zip has no empty folders either.
      mkdirSync(to, { recursive: true });
      copyFileSync(source, target);
    }
  }
}

/** Mirrors a tree with hard links (copies where the file system refuses them); symlinks stay symlinks. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/**
 * The files azd puts in the zip, `/`-separated and sorted. Like azd, it follows symlinks (a
 * link to a file is stored as that file) and skips a directory the rules exclude as a whole.
 */
function listFiles(root: string, include: (relativePath: string, isDirectory: boolean) => boolean): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const relativePath = prefix ? `${prefix}/${name}` : name;
      const isDirectory = (lstatSync(path).isSymbolicLink() ? statSync(path) : lstatSync(path)).isDirectory();
      if (!include(relativePath, isDirectory)) continue;
      if (isDirectory) walk(path, relativePath);
      else files.push(relativePath);
    }
  };
  walk(root, '');
  return files.sort();
}
