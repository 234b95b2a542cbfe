import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { globToRegExp, isGlob, staticGlobBase } from './globToRegExp';

/** The worker's fallback when package.json names no `main`. */
const DEFAULT_MAIN = 'index.js';

/** The `main` of <appRoot>/package.json, or the worker's default. */
export function readPackageMain(appRoot: string): string {
  const packageJsonPath = join(appRoot, 'package.json');
  if (!existsSync(packageJsonPath)) return DEFAULT_MAIN;
  const parsed: unknown = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  const main = typeof parsed === 'object' && parsed !== null && 'main' in parsed ? parsed.main : undefined;
  return typeof main === 'string' && main.length > 0 ? main : DEFAULT_MAIN;
}

/** Absolute paths of the files `main` names (a file or a glob), sorted so start-up is repeatable. */
export function findMainFiles(appRoot: string, main: string): string[] {
  const pattern = posix.normalize(main.replace(/\\/g, '/')).replace(/^\.\//, '');
  if (!isGlob(pattern)) {
    const file = join(appRoot, pattern);
    return existsSync(file) ? [file] : [];
  }
  const matcher = globToRegExp(pattern);
  const base = join(appRoot, staticGlobBase(pattern));
  if (!existsSync(base)) return [];
  return listFiles(base)
    .filter((file) => matcher.test(relative(appRoot, file).split(sep).join('/')))
    .sort();
}

/** Every file under `dir`, skipping node_modules and hidden directories (never app code). */
function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) files.push(...listFiles(path));
    } else if (entry.isFile()) files.push(path);
  }
  return files;
}
