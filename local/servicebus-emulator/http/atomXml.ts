import { parseXML, stringifyXML } from '@azure/core-xml';

/**
 * ATOM documents as the Service Bus management endpoint writes them, built and parsed with
 * @azure/core-xml (the SDK's own XML layer), so what we write is what the SDK reads back.
 * Attributes live under `$`, text beside attributes under `_`.
 */
export const ATOM_NS = 'http://www.w3.org/2005/Atom';
export const SB_NS = 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const SB_2011_NS = 'http://schemas.microsoft.com/netservices/2011/06/servicebus';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

export type XmlValue = string | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue | undefined;
}

export interface AtomEntry {
  /** Absolute URL of the entity; the SDK takes entity names from its path. */
  id: string;
  title: string;
  published: Date;
  updated: Date;
  /** QueueDescription, TopicDescription, SubscriptionDescription, RuleDescription, NamespaceInfo. */
  contentName: string;
  content: XmlNode;
}

function entryNode(entry: AtomEntry, withNamespace: boolean): XmlNode {
  return {
    ...(withNamespace ? { $: { xmlns: ATOM_NS } } : {}),
    id: entry.id,
    title: { $: { type: 'text' }, _: entry.title },
    published: entry.published.toISOString(),
    updated: entry.updated.toISOString(),
    author: { name: 'sbemulatorns' },
    link: { $: { rel: 'self', href: entry.id } },
    content: {
      $: { type: 'application/xml' },
      [entry.contentName]: { $: { xmlns: SB_NS, 'xmlns:i': XSI_NS }, ...defined(entry.content) },
    },
  };
}

/** Leaves out unset optional elements instead of writing them empty. */
function defined(node: XmlNode): XmlNode {
  return Object.fromEntries(Object.entries(node).filter(([, value]) => value !== undefined));
}

export function entryXml(entry: AtomEntry): string {
  return stringifyXML(entryNode(entry, true), { rootName: 'entry' });
}

/** A list page; `nextHref` (with `$skip`) tells the SDK there is another page. */
export function feedXml(feed: {
  id: string;
  title: string;
  entries: AtomEntry[];
  nextHref?: string | undefined;
}): string {
  const links: XmlNode[] = [{ $: { rel: 'self', href: feed.id } }];
  if (feed.nextHref) links.push({ $: { rel: 'next', href: feed.nextHref } });
  return stringifyXML(
    {
      $: { xmlns: ATOM_NS },
      title: { $: { type: 'text' }, _: feed.title },
      id: feed.id,
      updated: new Date().toISOString(),
      link: links,
      entry: feed.entries.map((entry) => entryNode(entry, false)),
    },
    { rootName: 'feed' },
  );
}

/** The error body the service sends; the SDK shows Detail as the error message. */
export function errorXml(status: number, detail: string): string {
  return stringifyXML({ Code: String(status), Detail: detail }, { rootName: 'Error' });
}

/** The content element of a PUT body: its name (QueueDescription, ...) and its children. */
export async function parseEntryContent(body: string): Promise<{ name: string; fields: XmlNode }> {
  const parsed: unknown = await parseXML(body, { includeRoot: true });
  const entry = child(asNode(parsed), 'entry');
  const content = child(entry, 'content');
  const name = content ? Object.keys(content).find((key) => key !== '$') : undefined;
  if (!content || !name) throw new Error('expected an ATOM entry with a content element');
  return { name, fields: asNode(content[name]) ?? {} };
}

export function asNode(value: unknown): XmlNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as XmlNode)
    : undefined;
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return asNode(node?.[name]);
}

/** The text of an element, whether it was written bare or with attributes. */
export function textOf(value: XmlValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  const node = asNode(value);
  return typeof node?._ === 'string' ? node._ : undefined;
}

/** The local part of an attribute such as `i:type` or `p4:type` (prefixes vary by writer). */
export function typeAttribute(node: XmlNode | undefined): string | undefined {
  const attributes = asNode(node?.$);
  if (!attributes) return undefined;
  const key = Object.keys(attributes).find((name) => name === 'type' || name.endsWith(':type'));
  const value = key === undefined ? undefined : attributes[key];
  return typeof value === 'string' ? value.slice(value.indexOf(':') + 1) : undefined;
}
