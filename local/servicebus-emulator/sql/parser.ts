/**
 * Recursive-descent parser for Service Bus SQL filters and rule actions.
 * Precedence, lowest first: OR, AND, NOT, predicates (comparison, IS NULL, IN, LIKE),
 * + -, * / %, unary + -, primaries.
 */
import type { ActionStatement, ComparisonOperator, Expr, PropertyRef } from './ast';
import { SqlSyntaxError } from './errors';
import { KEYWORDS, isKeyword, tokenize, type Token } from './lexer';
import { likeToRegExp, LikeEscapeError } from './like';
import { findSystemProperty } from './systemProperties';
import type { SqlParameters, SqlValue } from './types';
import { fromUserValue } from './values';

const INT64_MAX = 2n ** 63n - 1n;
const COMPARISONS: Record<string, ComparisonOperator> = {
  '=': '=',
  '<>': '<>',
  '!=': '<>',
  '>': '>',
  '>=': '>=',
  '<': '<',
  '<=': '<=',
};

/** Parses a whole filter expression. */
export function parseFilter(source: string, parameters: SqlParameters = {}): Expr {
  const parser = new Parser(source, parameters);
  const expr = parser.expression();
  parser.expectEnd();
  return expr;
}

/** Parses `SET p = expr` / `REMOVE p` statements, separated by optional semicolons. */
export function parseAction(source: string, parameters: SqlParameters = {}): ActionStatement[] {
  const parser = new Parser(source, parameters);
  const statements: ActionStatement[] = [];
  do {
    statements.push(parser.statement());
    while (parser.acceptSymbol(';'));
  } while (!parser.atEnd());
  return statements;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(
    source: string,
    private readonly parameters: SqlParameters,
  ) {
    this.tokens = tokenize(source);
  }

  private get current(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.current;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private fail(expected: string, token: Token = this.current): never {
    throw new SqlSyntaxError(token.position, token.kind === 'end' ? undefined : token.text, expected);
  }

  atEnd(): boolean {
    return this.current.kind === 'end';
  }

  expectEnd(): void {
    if (!this.atEnd()) this.fail('expected an operator or the end of the expression');
  }

  acceptSymbol(symbol: string): boolean {
    if (this.current.kind === 'symbol' && this.current.value === symbol) {
      this.index++;
      return true;
    }
    return false;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.fail(`expected '${symbol}'`);
  }

  private acceptKeyword(keyword: string): boolean {
    if (isKeyword(this.current, keyword)) {
      this.index++;
      return true;
    }
    return false;
  }

  statement(): ActionStatement {
    if (this.acceptKeyword('SET')) {
      const target = this.settableProperty();
      this.expectSymbol('=');
      return { kind: 'set', target, value: this.additive() };
    }
    if (this.acceptKeyword('REMOVE')) return { kind: 'remove', target: this.settableProperty() };
    return this.fail('expected SET or REMOVE');
  }

  private settableProperty(): PropertyRef {
    const token = this.current;
    const ref = this.property();
    if (ref.scope === 'sys' && !ref.info.settable) {
      this.fail(`system property '${ref.info.sqlName}' cannot be changed by an action`, token);
    }
    return ref;
  }

  expression(): Expr {
    let left = this.and();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.not() };
    return left;
  }

  private not(): Expr {
    if (this.acceptKeyword('NOT')) return { kind: 'not', operand: this.not() };
    return this.predicate();
  }

  private predicate(): Expr {
    const left = this.additive();
    const token = this.current;
    const comparison = token.kind === 'symbol' ? COMPARISONS[token.value] : undefined;
    if (comparison) {
      this.next();
      return { kind: 'comparison', operator: comparison, left, right: this.additive() };
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      if (!this.acceptKeyword('NULL')) this.fail('expected NULL');
      return { kind: 'isNull', operand: left, negated };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) return { kind: 'in', operand: left, list: this.inList(), negated };
    if (this.acceptKeyword('LIKE')) return this.like(left, negated);
    if (negated) this.fail('expected IN or LIKE after NOT');
    return left;
  }

  private inList(): Expr[] {
    this.expectSymbol('(');
    const list = [this.additive()];
    while (this.acceptSymbol(',')) list.push(this.additive());
    this.expectSymbol(')');
    return list;
  }

  private like(operand: Expr, negated: boolean): Expr {
    const patternToken = this.current;
    const pattern = this.additive();
    let escape: Expr | undefined;
    const escapeToken = this.tokens[this.index + 1] ?? this.current;
    if (this.acceptKeyword('ESCAPE')) escape = this.additive();
    let regex: RegExp | undefined;
    if (
      pattern.kind === 'constant' &&
      typeof pattern.value === 'string' &&
      (!escape || escape.kind === 'constant')
    ) {
      const escapeValue = escape?.kind === 'constant' ? escape.value : undefined;
      if (escapeValue !== undefined && (typeof escapeValue !== 'string' || escapeValue.length !== 1)) {
        this.fail('expected a one-character string after ESCAPE', escapeToken);
      }
      try {
        regex = likeToRegExp(pattern.value, escapeValue ?? undefined);
      } catch (error) {
        if (error instanceof LikeEscapeError) this.fail(error.message, patternToken);
        throw error;
      }
    }
    return { kind: 'like', operand, pattern, escape, negated, regex };
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      if (this.acceptSymbol('+'))
        left = { kind: 'arithmetic', operator: '+', left, right: this.multiplicative() };
      else if (this.acceptSymbol('-'))
        left = { kind: 'arithmetic', operator: '-', left, right: this.multiplicative() };
      else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const token = this.current;
      if (token.kind !== 'symbol' || !['*', '/', '%'].includes(token.value)) return left;
      this.next();
      left = { kind: 'arithmetic', operator: token.value as '*' | '/' | '%', left, right: this.unary() };
    }
  }

  private unary(): Expr {
    if (this.acceptSymbol('-')) {
      // -9223372036854775808 is int64's minimum: only representable with its sign.
      if (this.current.kind === 'integer' && BigInt(this.current.value) === INT64_MAX + 1n) {
        this.next();
        return { kind: 'constant', value: -(INT64_MAX + 1n) };
      }
      return { kind: 'negate', operand: this.unary() };
    }
    if (this.acceptSymbol('+')) return { kind: 'unaryPlus', operand: this.unary() };
    return this.primary();
  }

  private primary(): Expr {
    const token = this.current;
    switch (token.kind) {
      case 'integer': {
        this.next();
        const value = BigInt(token.value);
        if (value > INT64_MAX) this.fail('integer constant out of the int64 range', token);
        return { kind: 'constant', value };
      }
      case 'decimal':
        this.next();
        return { kind: 'constant', value: Number(token.value) };
      case 'string':
        this.next();
        return { kind: 'constant', value: token.value };
      case 'parameter':
        return { kind: 'constant', value: this.parameter(this.next()) };
      case 'quotedIdentifier':
        return { kind: 'property', ref: this.property() };
      case 'symbol':
        if (token.value === '(') {
          this.next();
          const inner = this.expression();
          this.expectSymbol(')');
          return inner;
        }
        return this.fail('expected an expression');
      case 'identifier':
        return this.identifierPrimary(token);
      default:
        return this.fail('expected an expression');
    }
  }

  private identifierPrimary(token: Token): Expr {
    const upper = token.value.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') {
      this.next();
      return { kind: 'constant', value: upper === 'TRUE' };
    }
    if (upper === 'NULL') {
      this.next();
      return { kind: 'constant', value: null };
    }
    if (upper === 'EXISTS') {
      this.next();
      this.expectSymbol('(');
      const ref = this.property();
      this.expectSymbol(')');
      return { kind: 'exists', ref };
    }
    if (KEYWORDS.has(upper)) return this.fail('expected an expression');
    const following = this.tokens[this.index + 1];
    if (following?.kind === 'symbol' && following.value === '(') return this.functionCall(token);
    return { kind: 'property', ref: this.property() };
  }

  private functionCall(token: Token): Expr {
    const name = token.value.toLowerCase();
    this.next();
    this.expectSymbol('(');
    if (name === 'newid') {
      this.expectSymbol(')');
      return { kind: 'newid' };
    }
    if (name === 'property' || name === 'p') {
      const argument = this.additive();
      this.expectSymbol(')');
      return { kind: 'dynamicProperty', name: argument, position: token.position };
    }
    return this.fail('unknown function (expected newid, property or p)', token);
  }

  /** [sys.|user.]name, where name is a regular, "quoted" or [delimited] identifier. */
  private property(): PropertyRef {
    let scope: 'sys' | 'user' = 'user';
    const first = this.current;
    const afterFirst = this.tokens[this.index + 1];
    const scopeName = first.kind === 'identifier' ? first.value.toLowerCase() : '';
    if (
      (scopeName === 'sys' || scopeName === 'user') &&
      afterFirst?.kind === 'symbol' &&
      afterFirst.value === '.'
    ) {
      scope = scopeName;
      this.index += 2;
    }
    const nameToken = this.current;
    const isName =
      nameToken.kind === 'quotedIdentifier' ||
      (nameToken.kind === 'identifier' && !KEYWORDS.has(nameToken.value.toUpperCase()));
    if (!isName) this.fail('expected a property name');
    this.next();
    if (scope === 'user') return { scope, name: nameToken.value, position: nameToken.position };
    const info = findSystemProperty(nameToken.value);
    if (!info) this.fail('unknown system property', nameToken);
    return { scope, name: info.sqlName, info, position: nameToken.position };
  }

  private parameter(token: Token): SqlValue {
    const wanted = token.value.toLowerCase();
    const key = Object.keys(this.parameters).find((k) => k.replace(/^@/, '').toLowerCase() === wanted);
    if (key === undefined) this.fail('parameter is not defined', token);
    return fromUserValue(this.parameters[key] ?? null);
  }
}
