/** The parsed form of filters and actions. Produced by parser.ts, walked by evaluate.ts. */
import type { SystemPropertyInfo } from './systemProperties';
import type { SqlValue } from './types';

/** A property named in the text: sys.X (resolved at compile time) or a user property. */
export type PropertyRef =
  | { scope: 'sys'; name: string; info: SystemPropertyInfo; position: number }
  | { scope: 'user'; name: string; position: number };

export type ComparisonOperator = '=' | '<>' | '>' | '>=' | '<' | '<=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

export type Expr =
  | { kind: 'constant'; value: SqlValue }
  | { kind: 'property'; ref: PropertyRef }
  /** property(name) / p(name): the name is computed per message. */
  | { kind: 'dynamicProperty'; name: Expr; position: number }
  | { kind: 'newid' }
  | { kind: 'negate' | 'unaryPlus'; operand: Expr }
  | { kind: 'arithmetic'; operator: ArithmeticOperator; left: Expr; right: Expr }
  | { kind: 'comparison'; operator: ComparisonOperator; left: Expr; right: Expr }
  | { kind: 'not'; operand: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'isNull'; operand: Expr; negated: boolean }
  | { kind: 'in'; operand: Expr; list: Expr[]; negated: boolean }
  | {
      kind: 'like';
      operand: Expr;
      pattern: Expr;
      escape: Expr | undefined;
      negated: boolean;
      /** Set when pattern and escape are constants: compiled once. */
      regex: RegExp | undefined;
    }
  | { kind: 'exists'; ref: PropertyRef };

export type ActionStatement =
  { kind: 'set'; target: PropertyRef; value: Expr } | { kind: 'remove'; target: PropertyRef };
