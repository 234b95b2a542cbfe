/**
 * Turns a package.json `main` glob (as the Node.js worker accepts: `*`, `?`, `**`, `{a,b}`)
 * into a regular expression over '/'-separated paths relative to the app root.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i);
    if (char === '*' && glob.charAt(i + 1) === '*') {
      const followedBySlash = glob.charAt(i + 2) === '/';
      source += followedBySlash ? '(?:.*/)?' : '.*';
      i += followedBySlash ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      braceDepth++;
      source += '(?:';
    } else if (char === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (char === ',' && braceDepth > 0) source += '|';
    else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The leading directories of a glob that hold no wildcard: where a search can start. */
export function staticGlobBase(glob: string): string {
  const segments = glob.split('/');
  const base: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?{]/.test(segment)) break;
    base.push(segment);
  }
  return base.join('/');
}

export function isGlob(pattern: string): boolean {
  return /[*?{]/.test(pattern);
}
