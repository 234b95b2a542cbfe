/** Splits a Service Bus SQL expression into tokens, each with its 0-based start offset. */
import { SqlSyntaxError } from './errors';

export type TokenKind =
  | 'identifier' // regular identifier; `upper` tells keywords apart
  | 'quotedIdentifier' // "name" or [name]: never a keyword
  | 'integer'
  | 'decimal'
  | 'string'
  | 'parameter' // @name
  | 'symbol'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** The text as written (for error messages). */
  text: string;
  /** Identifier name, unescaped string/identifier content, symbol, or number text. */
  value: string;
  position: number;
}

/** Regular identifiers that are reserved words (case-insensitive). */
export const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'IN',
  'LIKE',
  'ESCAPE',
  'EXISTS',
  'TRUE',
  'FALSE',
]);

const SYMBOLS = ['<>', '!=', '>=', '<=', '=', '>', '<', '+', '-', '*', '/', '%', '(', ')', ',', '.', ';'];
const LETTER = /\p{L}/u;
const IDENTIFIER_REST = /[\p{L}\p{Nd}_]/u;
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'") {
      const { value, end } = readEnclosed(source, i, "'", 'unterminated string constant');
      tokens.push({ kind: 'string', text: source.slice(start, end), value, position: start });
      i = end;
    } else if (ch === '"' || ch === '[') {
      const close = ch === '"' ? '"' : ']';
      const { value, end } = readEnclosed(source, i, close, 'unterminated quoted identifier');
      tokens.push({ kind: 'quotedIdentifier', text: source.slice(start, end), value, position: start });
      i = end;
    } else if (/\d/.test(ch) || (ch === '.' && /\d/.test(source[i + 1] ?? ''))) {
      const text = NUMBER.exec(source.slice(i))?.[0] ?? ch;
      const kind = /[.eE]/.test(text) ? 'decimal' : 'integer';
      tokens.push({ kind, text, value: text, position: start });
      i += text.length;
    } else if (LETTER.test(ch) || (ch === '@' && LETTER.test(source[i + 1] ?? ''))) {
      i++;
      while (i < source.length && IDENTIFIER_REST.test(source[i] as string)) i++;
      const text = source.slice(start, i);
      const kind = ch === '@' ? 'parameter' : 'identifier';
      tokens.push({ kind, text, value: kind === 'parameter' ? text.slice(1) : text, position: start });
    } else {
      const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
      if (symbol === undefined) throw new SqlSyntaxError(start, ch, 'unexpected character');
      tokens.push({ kind: 'symbol', text: symbol, value: symbol, position: start });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'end', text: '', value: '', position: source.length });
  return tokens;
}

/** Reads '...', "..." or [...] starting at `open`; a doubled closing character stands for itself. */
function readEnclosed(
  source: string,
  open: number,
  close: string,
  problem: string,
): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  for (;;) {
    const at = source.indexOf(close, i);
    if (at < 0) throw new SqlSyntaxError(open, source.slice(open, open + 20), problem);
    value += source.slice(i, at);
    if (source[at + 1] === close) {
      value += close;
      i = at + 2;
    } else {
      return { value, end: at + 1 };
    }
  }
}

/** True for a regular identifier spelling the given keyword. */
export function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'identifier' && token.value.toUpperCase() === keyword;
}
