/**
 * @vercel/cosmosdb-server runs every query through @zeit/cosmosdb-query, whose generated code
 * collects the container's documents with `reduce(($, c) => [...$, { c }], [])`: a copy of the
 * accumulator per document, so one query costs O(n²) in the container's size. Reconcile's
 * cross-partition query took 0.3 s over 10,000 delivery records and 18-20 s over 20,000, which
 * stalled an hour-long soak after about 20 minutes (docs/operations.md). This rewrites each
 * `[...$, X]` in the generated code to `($.push(X), $)`: the same result, since every such
 * accumulator starts as a fresh `[]` in its own reduce. Local stack only; Azure Cosmos DB
 * serves queries from its index.
 */
import query from '@zeit/cosmosdb-query';

const SPREAD_ACCUMULATOR = '[...$, ';

/** Index of the `]` closing the `[` at `open`, skipping double-quoted strings. */
function closingBracket(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i += 1) {
    const char = code[i];
    if (char === '"') {
      for (i += 1; i < code.length && code[i] !== '"'; i += 1) if (code[i] === '\\') i += 1;
    } else if (char === '[' || char === '(' || char === '{') depth += 1;
    else if (char === ']' || char === ')' || char === '}') {
      depth -= 1;
      if (depth === 0) return char === ']' ? i : -1;
    }
  }
  return -1;
}

/** The generated query code with each `[...$, X]` appended in place; unchanged if unsure. */
export function linearQueryCode(code: string): string {
  let out = code;
  for (let at = out.indexOf(SPREAD_ACCUMULATOR); at !== -1; at = out.indexOf(SPREAD_ACCUMULATOR, at + 1)) {
    const close = closingBracket(out, at);
    if (close === -1) return code;
    const appended = out.slice(at + SPREAD_ACCUMULATOR.length, close);
    out = `${out.slice(0, at)}($.push(${appended}), $)${out.slice(close + 1)}`;
  }
  return out;
}

type QueryPrototype = { code: string };
const proto = Object.getPrototypeOf(query('SELECT * FROM c')) as QueryPrototype;

/** Installs the rewrite once per process, before a server answers its first query. */
export function useLinearCosmosQueries(): void {
  const generated = Object.getOwnPropertyDescriptor(proto, 'code');
  if (!generated || Object.hasOwn(proto, 'generatedCode')) return;
  // The engine's own getter stays, under another name, and generates each query's code once.
  Object.defineProperty(proto, 'generatedCode', generated);
  Object.defineProperty(proto, 'code', {
    configurable: true,
    get(this: QueryPrototype & { linearCode?: string }) {
      this.linearCode ??= linearQueryCode(String(Reflect.get(proto, 'generatedCode', this)));
      return this.linearCode;
    },
  });
}
