import { relative } from 'node:path';
import { findMainFiles, readPackageMain } from './findMainFiles';
import { errorStack } from '../../../shared/errors/errorMessage';

/** Requires every file `main` names, so their `app.*` calls register the functions. */
export function loadAppFiles(appRoot: string, mainOverride: string | undefined): string[] {
  const main = mainOverride ?? readPackageMain(appRoot);
  const files = findMainFiles(appRoot, main);
  if (files.length === 0) throw new Error(`No app files match main "${main}" under ${appRoot}.`);
  for (const file of files) {
    try {
      // Loading the app is a dynamic, synchronous require by design: the worker does the same,
      // and the files' `app.*` calls must run before start-up continues.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    } catch (error) {
      const reason = errorStack(error);
      throw new Error(`Loading ${relative(appRoot, file)} failed: ${reason}`);
    }
  }
  return files;
}
