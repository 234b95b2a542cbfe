import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Just enough of a Bicep reader for the drift test, which must run without the Bicep CLI:
 * finds `resource` declarations and reads literal values out of their bodies. It understands
 * comments, strings (with escapes and ${...} interpolation) and nesting; it does not evaluate
 * anything, so the values it can read are literals only, which is how the infra declares the
 * names the code relies on.
 */

export interface BicepResource {
  file: string;
  symbol: string;
  /** The resource type without the API version, e.g. Microsoft.ServiceBus/namespaces/queues. */
  type: string;
  existing: boolean;
  /** The body object, `{` to `}` inclusive. */
  body: BicepText;
}

/** A piece of Bicep source and the same piece with comments and string contents blanked out. */
export interface BicepText {
  source: string;
  masked: string;
}

/** Blanks out comments and the insides of strings, keeping every other character in place. */
export function mask(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k += 1) if (out[k] !== '\n') out[k] = ' ';
  };

  // Returns the index just past the string that starts with the quote at `start`.
  const skipString = (start: number): number => {
    if (source.startsWith("'''", start)) {
      const end = source.indexOf("'''", start + 3);
      const stop = end === -1 ? source.length : end;
      blank(start + 3, stop);
      return stop + 3;
    }
    let i = start + 1;
    while (i < source.length) {
      const char = source[i];
      if (char === '\\') i += 2;
      else if (char === "'") break;
      else if (source.startsWith('${', i)) i = skipCode(i + 2, true);
      else i += 1;
    }
    blank(start + 1, Math.min(i, source.length));
    return i + 1;
  };

  // Walks code from `start`; with `untilBrace`, stops past the `}` closing an interpolation.
  const skipCode = (start: number, untilBrace: boolean): number => {
    let depth = 0;
    let i = start;
    while (i < source.length) {
      if (source.startsWith('//', i)) {
        const end = source.indexOf('\n', i);
        const stop = end === -1 ? source.length : end;
        blank(i, stop);
        i = stop;
      } else if (source.startsWith('/*', i)) {
        const end = source.indexOf('*/', i + 2);
        const stop = end === -1 ? source.length : end + 2;
        blank(i, stop);
        i = stop;
      } else if (source[i] === "'") {
        i = skipString(i);
      } else {
        if (source[i] === '{') depth += 1;
        if (source[i] === '}') {
          if (untilBrace && depth === 0) return i + 1;
          depth -= 1;
        }
        i += 1;
      }
    }
    return i;
  };

  skipCode(0, false);
  return out.join('');
}

function closingIndex(masked: string, open: number): number {
  const pairs: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
  const stack: string[] = [];
  for (let i = open; i < masked.length; i += 1) {
    const char = masked[i] ?? '';
    if (char in pairs) stack.push(pairs[char] ?? '');
    else if (char === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  throw new Error(`unbalanced brackets from offset ${open}`);
}

export function resourcesIn(file: string, source: string): BicepResource[] {
  const masked = mask(source);
  const declaration = /^[ \t]*resource[ \t]+(\w+)[ \t]+'/gm;
  const resources: BicepResource[] = [];
  for (let match = declaration.exec(masked); match; match = declaration.exec(masked)) {
    const typeStart = match.index + match[0].length;
    const typeEnd = masked.indexOf("'", typeStart);
    const type = source.slice(typeStart, typeEnd).split('@')[0] ?? '';
    const equals = masked.indexOf('=', typeEnd);
    const existing = /\bexisting\b/.test(masked.slice(typeEnd, equals));
    const open = masked.indexOf('{', equals);
    const close = closingIndex(masked, open);
    resources.push({
      file,
      symbol: match[1] ?? '',
      type,
      existing,
      body: { source: source.slice(open, close + 1), masked: masked.slice(open, close + 1) },
    });
  }
  return resources;
}

/** Every resource declared in the .bicep files under `dir`, recursively. */
export function resourcesUnder(dir: string): BicepResource[] {
  // A plain walk: readdir's `recursive` and Dirent.parentPath need a newer Node 20 than we require.
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry): BicepResource[] => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return resourcesUnder(path);
    return entry.isFile() && entry.name.endsWith('.bicep')
      ? resourcesIn(path, readFileSync(path, 'utf8'))
      : [];
  });
}

/** The top-level `key: value` entries of an object (`{...}`), values as Bicep text. */
export function objectEntries(object: BicepText): Map<string, BicepText> {
  const entries = new Map<string, BicepText>();
  const { source, masked } = object;
  if (!masked.trimStart().startsWith('{')) return entries;
  const start = masked.indexOf('{') + 1;
  const end = closingIndex(masked, start - 1);
  let i = start;
  while (i < end) {
    const lineEnd = masked.indexOf('\n', i) === -1 ? end : Math.min(masked.indexOf('\n', i), end);
    const key = /^\s*('(?:[^']*)'|[A-Za-z_][\w]*)\s*:/.exec(masked.slice(i, lineEnd));
    if (!key) {
      i = lineEnd + 1;
      continue;
    }
    const valueStart = i + key[0].length;
    // The value runs to the end of the line, or past it while brackets are open.
    let valueEnd = valueStart;
    while (valueEnd < end && masked[valueEnd] !== '\n') {
      const char = masked[valueEnd] ?? '';
      valueEnd = '{[('.includes(char) ? closingIndex(masked, valueEnd) + 1 : valueEnd + 1;
    }
    const rawKey = source
      .slice(i, i + key[0].length)
      .trim()
      .replace(/:$/, '')
      .trim();
    // Trim by the masked text, so a trailing comment is not part of the value.
    const maskedValue = masked.slice(valueStart, valueEnd);
    const from = valueStart + (maskedValue.length - maskedValue.trimStart().length);
    const to = valueStart + maskedValue.trimEnd().length;
    entries.set(rawKey.replace(/^'(.*)'$/, '$1'), {
      source: source.slice(from, to),
      masked: masked.slice(from, to),
    });
    i = valueEnd + 1;
  }
  return entries;
}

/** Follows a path of keys through nested objects, e.g. ['properties', 'resource', 'id']. */
export function valueAt(object: BicepText, path: string[]): BicepText | undefined {
  let current: BicepText | undefined = object;
  for (const key of path) {
    if (!current) return undefined;
    current = objectEntries(current).get(key);
  }
  return current;
}

/** The string a plain literal ('text') holds; undefined for expressions and interpolations. */
export function stringLiteral(value: BicepText | undefined): string | undefined {
  const match = value ? /^'([^'\\$]*)'$/.exec(value.source) : null;
  return match ? match[1] : undefined;
}

/** The string literals of an array literal ([ 'a' \n 'b' ]); non-literal items are skipped. */
export function stringItems(value: BicepText | undefined): string[] {
  if (!value || !value.masked.startsWith('[')) return [];
  // Strings are found in the masked text, so quotes inside comments do not count.
  return [...value.masked.matchAll(/'[^'\n]*'/g)]
    .map((match) => /^'([^'\\$]*)'$/.exec(value.source.slice(match.index, match.index + match[0].length)))
    .filter((literal): literal is RegExpExecArray => literal !== null)
    .map((literal) => literal[1] ?? '');
}
