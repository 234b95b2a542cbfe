import { parseConstraint, type ConstraintCheck } from './routeConstraints';

/** A route template ("users/{id:int}/{*rest}") ready to match request paths. */
export interface RouteTemplate {
  template: string;
  /** Per segment: 1 literal, 2 mixed, 3 constrained parameter, 4 parameter, 5 catch-all (ASP.NET order). */
  precedence: number[];
  match(path: string): Record<string, string> | undefined;
}

interface Parameter {
  name: string;
  constraints: ConstraintCheck[];
  optional: boolean;
  catchAll: boolean;
  defaultValue: string | undefined;
}

type Part = { literal: string } | { parameter: Parameter };

/**
 * Parses a Functions route template (ASP.NET Core syntax): literal segments, {name},
 * {name:constraint(arg)}, optional {name?}, defaults {name=value} and catch-all {*name}.
 * Literals match case-insensitively; parameter values are percent-decoded.
 */
export function parseRouteTemplate(template: string): RouteTemplate {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : splitSegments(trimmed).map(parseSegment);
  const parameters: Parameter[] = [];
  let source = '^';
  segments.forEach((parts, index) => {
    const [only] = parts;
    const single = parts.length === 1 && only && 'parameter' in only ? only.parameter : undefined;
    if (single?.catchAll) {
      if (index !== segments.length - 1) {
        throw new Error(`route "${template}": a catch-all parameter must be last`);
      }
      source += '(?:/(.*))?';
      parameters.push(single);
    } else if (single && (single.optional || single.defaultValue !== undefined)) {
      source += '(?:/([^/]+))?';
      parameters.push(single);
    } else {
      source += '/';
      for (const part of parts) {
        if ('literal' in part) source += escapeRegExp(part.literal);
        else {
          if (part.parameter.catchAll || part.parameter.optional) {
            throw new Error(
              `route "${template}": optional and catch-all parameters must fill a whole segment`,
            );
          }
          source += '([^/]+?)';
          parameters.push(part.parameter);
        }
      }
    }
  });
  const pattern = new RegExp(`${source}/?$`, 'i');
  const precedence = segments.map(rankSegment);

  return {
    template: trimmed,
    precedence,
    match(path: string) {
      const found = pattern.exec(path.startsWith('/') ? path : `/${path}`);
      if (!found) return undefined;
      const values: Record<string, string> = {};
      for (const [i, parameter] of parameters.entries()) {
        const raw = found[i + 1];
        const value = raw === undefined || raw === '' ? parameter.defaultValue : safeDecode(raw);
        if (value === undefined) continue;
        if (!parameter.constraints.every((check) => check(value))) return undefined;
        values[parameter.name] = value;
      }
      return values;
    },
  };
}

/** Orders templates so the most specific wins, as ASP.NET routing does. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  for (let i = 0; i < Math.max(a.precedence.length, b.precedence.length); i++) {
    const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function rankSegment(parts: Part[]): number {
  const [only] = parts;
  if (parts.length > 1) return 2;
  if (!only || 'literal' in only) return 1;
  if (only.parameter.catchAll) return 5;
  return only.parameter.constraints.length > 0 ? 3 : 4;
}

/** Splits on '/' outside braces, since regex constraints may contain slashes. */
function splitSegments(template: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of template) {
    if (char === '{') depth++;
    else if (char === '}') depth = Math.max(0, depth - 1);
    if (char === '/' && depth === 0) {
      segments.push(current);
      current = '';
    } else current += char;
  }
  segments.push(current);
  if (segments.some((segment) => segment === '')) throw new Error(`route "${template}" has an empty segment`);
  return segments;
}

function parseSegment(segment: string): Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment.charAt(i);
    const next = segment.charAt(i + 1);
    if ((char === '{' || char === '}') && next === char) {
      literal += char;
      i++;
    } else if (char === '{') {
      const end = findParameterEnd(segment, i + 1);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ parameter: parseParameter(segment.slice(i + 1, end)) });
      i = end;
    } else literal += char;
  }
  if (literal) parts.push({ literal });
  return parts;
}

function findParameterEnd(segment: string, start: number): number {
  let parens = 0;
  for (let i = start; i < segment.length; i++) {
    const char = segment.charAt(i);
    if (char === '(') parens++;
    else if (char === ')') parens--;
    else if (char === '}' && parens <= 0) return i;
  }
  throw new Error(`route segment "${segment}" has an unclosed "{"`);
}

function parseParameter(body: string): Parameter {
  const pieces = splitOutsideParens(body.replace(/\{\{/g, '{').replace(/\}\}/g, '}'));
  let head = pieces.shift() ?? '';
  const catchAll = head.startsWith('*');
  head = head.replace(/^\*{1,2}/, '');
  let defaultValue: string | undefined;
  let optional = false;
  // The default or '?' sits after the last constraint (or after the name when there is none).
  const tailIndex = pieces.length > 0 ? pieces.length - 1 : -1;
  const applyTail = (text: string): string => {
    const withDefault = /^(.*?)=(.*)$/s.exec(text);
    if (withDefault && !/\(.*=.*\)/s.test(text)) {
      defaultValue = withDefault[2];
      return withDefault[1] ?? '';
    }
    if (text.endsWith('?') && !text.endsWith('\\?')) {
      optional = true;
      return text.slice(0, -1);
    }
    return text;
  };
  if (tailIndex >= 0) pieces[tailIndex] = applyTail(pieces[tailIndex] ?? '');
  else head = applyTail(head);
  if (!/^[A-Za-z_][\w.-]*$/.test(head)) throw new Error(`route parameter name "${head}" is not valid`);
  return { name: head, constraints: pieces.map(parseConstraint), optional, catchAll, defaultValue };
}

function splitOutsideParens(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    else if (char === ')') depth--;
    if (char === ':' && depth === 0) {
      pieces.push(current);
      current = '';
    } else current += char;
  }
  pieces.push(current);
  return pieces;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
