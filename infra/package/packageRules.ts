import ignore from 'ignore';

/** The ignore file azd reads for a `host: function` service. */
export const IGNORE_FILE = '.funcignore';

/**
 * What azd leaves out of a Functions zip, whatever the ignore file says (azure-dev
 * `createDeployableZip`): any `.azure` directory, the ignore file itself and any
 * `local.settings.json`. Matched by name at every depth, as azd does.
 */
function excludedByAzd(name: string, isDirectory: boolean): boolean {
  if (isDirectory) return name === '.azure';
  return name === IGNORE_FILE || name === 'local.settings.json';
}

/**
 * Decides, the way azd does when it zips a folder, whether a path goes into the package:
 * azd's fixed exclusions, then the ignore file's patterns with gitignore semantics (azd uses
 * a gitignore parser; the `ignore` library implements the same rules). Paths are relative to
 * the zipped folder, with `/` separators.
 */
export function packageFilter(
  ignoreFileText: string | undefined,
): (relativePath: string, isDirectory: boolean) => boolean {
  // azd strips a UTF-8 byte order mark before parsing, or the first pattern would never match.
  const patterns =
    ignoreFileText === undefined ? undefined : ignore().add(ignoreFileText.replace(/^\uFEFF/, ''));
  return (relativePath, isDirectory) => {
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    if (excludedByAzd(name, isDirectory)) return false;
    if (!patterns) return true;
    // A trailing slash tells the matcher it is a directory, so `dir/` patterns apply.
    return !patterns.ignores(isDirectory ? `${relativePath}/` : relativePath);
  };
}

/**
 * Whether azd would switch a Node.js Flex Consumption deployment to remote build: it does when
 * the ignore file excludes `node_modules` at the root (and `remoteBuild` is unset); with
 * `remoteBuild: false` it refuses an ignore file that excludes it.
 */
export function ignoreFileExcludesNodeModules(ignoreFileText: string): boolean {
  return !packageFilter(ignoreFileText)('node_modules', true);
}
