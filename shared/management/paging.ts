import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalidField } from '../http/problems';
import {
  ContinuationNotAcceptedError,
  MAX_PAGE_SIZE,
  type Page,
  type PageOptions,
} from '../domain/repositories';

/** `maxItems` and `continuationToken` from a query string, with 400s naming the parameter. */
export function parsePageQuery(query: { get(name: string): string | null }): PageOptions {
  const page: PageOptions = {};
  const maxItems = query.get('maxItems');
  if (maxItems !== null) {
    const value = Number(maxItems);
    if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
      throw invalidField('maxItems', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    page.maxItems = value;
  }
  const token = query.get('continuationToken');
  if (token !== null && token !== '') page.continuationToken = token;
  return page;
}

/**
 * What a list is: its route and the values that select its items (topic, subscription, status).
 * A token is valid only for the list that issued it.
 */
export type ListScope = readonly [list: string, ...selectors: string[]];

/**
 * Continuation tokens as callers see them: `base64url(JSON {scope, continuation}).base64url(HMAC)`.
 * Cosmos DB's own continuation is opaque to us but not to Cosmos: handed back forged, it makes
 * the SDK fail (issue 12: `{"a":1}` answered 500). So only tokens this app issued, for this very
 * list, reach Cosmos; anything else is a 400 naming `continuationToken`.
 */
export interface ContinuationTokens {
  /** The Cosmos continuation inside a token from a caller; throws a 400 ProblemError if it is not ours. */
  open(token: string, scope: ListScope): Promise<string>;
  /** The token to hand out for a Cosmos continuation of a list. */
  seal(continuation: string, scope: ListScope): Promise<string>;
}

/** Cosmos continuations run to a few KB; a token far beyond is not one of ours. */
const MAX_TOKEN_LENGTH = 16_384;
const TOKEN_FORM = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;
/** Domain separation: the key signs nothing else with this prefix. */
const MAC_CONTEXT = 'switchyard continuation token v1\n';

const NOT_ISSUED =
  'is not a token this API issued (or it was changed); pass back the continuationToken of the previous page unchanged, or leave it out for the first page';

/** Tokens signed with HMAC-SHA256 under `key()` (fetched on first use, then kept; a failure is retried next time). */
export function continuationTokens(key: () => Promise<Buffer>): ContinuationTokens {
  let cached: Promise<Buffer> | undefined;
  const currentKey = () => {
    cached ??= key().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
  const mac = async (payload: string) =>
    createHmac('sha256', await currentKey())
      .update(MAC_CONTEXT)
      .update(payload)
      .digest();

  return {
    async seal(continuation, scope) {
      const payload = Buffer.from(JSON.stringify({ s: scope, c: continuation })).toString('base64url');
      return `${payload}.${(await mac(payload)).toString('base64url')}`;
    },
    async open(token, scope) {
      const form = token.length <= MAX_TOKEN_LENGTH ? TOKEN_FORM.exec(token) : null;
      const [, payload = '', signature = ''] = form ?? [];
      if (!form || !timingSafeEqual(Buffer.from(signature, 'base64url'), await mac(payload))) {
        throw invalidField('continuationToken', NOT_ISSUED);
      }
      const content = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        s: unknown;
        c: unknown;
      };
      if (JSON.stringify(content.s) !== JSON.stringify(scope) || typeof content.c !== 'string') {
        throw invalidField(
          'continuationToken',
          'was issued for another list; pass it back only to the list that returned it',
        );
      }
      return content.c;
    },
  };
}

/**
 * One page of a list through opaque tokens: opens the caller's token for `scope`, fetches, and
 * seals the next continuation. A token we issued that Cosmos DB no longer accepts is a 400 too.
 */
export async function pageOfList<T>(
  tokens: ContinuationTokens,
  scope: ListScope,
  page: PageOptions,
  fetch: (page: PageOptions) => Promise<Page<T>>,
): Promise<Page<T>> {
  const continuation =
    page.continuationToken === undefined ? undefined : await tokens.open(page.continuationToken, scope);
  let result: Page<T>;
  try {
    result = await fetch({
      ...(page.maxItems !== undefined ? { maxItems: page.maxItems } : {}),
      ...(continuation !== undefined ? { continuationToken: continuation } : {}),
    });
  } catch (error) {
    if (continuation !== undefined && error instanceof ContinuationNotAcceptedError) {
      throw invalidField(
        'continuationToken',
        'is no longer accepted by the store; start again from the first page',
      );
    }
    throw error;
  }
  const next =
    result.continuationToken === undefined ? undefined : await tokens.seal(result.continuationToken, scope);
  return { items: result.items, ...(next !== undefined ? { continuationToken: next } : {}) };
}
