import type { Command } from 'commander';
import { positiveInteger, type Session } from './session';

export interface PageFlags {
  maxItems?: string;
  continuationToken?: string;
  all?: boolean;
}

export interface PageQuery {
  maxItems?: number;
  continuationToken?: string;
}

export interface ListPage<Item> {
  items: Item[];
  continuationToken?: string;
}

const MAX_PAGE = 1000;

/** The paging options every list command takes. */
export function withPaging(command: Command): Command {
  return command
    .option('--max-items <n>', `items per page, 1-${MAX_PAGE} (the API's default is 50)`)
    .option('--continuation-token <token>', 'the next page: the token a previous page printed')
    .option('--all', 'every page, following continuation tokens');
}

/**
 * One page, or with --all every page from the given token on. The last page's token (if any)
 * stays in the result, so a script can go on from there.
 */
export async function fetchPages<Item>(
  flags: PageFlags,
  fetchPage: (query: PageQuery) => Promise<ListPage<Item>>,
): Promise<ListPage<Item>> {
  const maxItems =
    flags.maxItems !== undefined ? positiveInteger(flags.maxItems, '--max-items', MAX_PAGE) : undefined;
  const items: Item[] = [];
  let token = flags.continuationToken;
  for (;;) {
    const page = await fetchPage({
      ...(maxItems !== undefined ? { maxItems } : flags.all ? { maxItems: MAX_PAGE } : {}),
      ...(token !== undefined ? { continuationToken: token } : {}),
    });
    items.push(...page.items);
    token = page.continuationToken;
    if (!flags.all || token === undefined) break;
  }
  return { items, ...(token !== undefined ? { continuationToken: token } : {}) };
}

/** Tells a person there is more, on stderr: the exact option that fetches it. */
export function noteMore(session: Session, page: { continuationToken?: string }): void {
  if (page.continuationToken !== undefined && !session.json) {
    session.note(`more: add --continuation-token '${page.continuationToken}' (or --all)`);
  }
}
