import type { IncomingHttpHeaders } from 'node:http';

/** What the sample receiver shows of one webhook delivery. */
export interface DeliverySummary {
  method: string;
  path: string;
  webhookId?: string;
  /** CloudEvent attributes, from the JSON body (structured mode) or ce-* headers (binary mode). */
  type?: string;
  subject?: string;
  id?: string;
  source?: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function stringField(record: Record<string, unknown>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads the CloudEvent attributes a person wants to see. Pure: no I/O, never throws (a body
 * that is not JSON just yields no attributes).
 */
export function describeDelivery(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: string,
): DeliverySummary {
  let attributes: Record<string, unknown> = {};
  const contentType = header(headers, 'content-type') ?? '';
  if (header(headers, 'ce-id') !== undefined) {
    attributes = {
      type: header(headers, 'ce-type'),
      subject: header(headers, 'ce-subject'),
      id: header(headers, 'ce-id'),
      source: header(headers, 'ce-source'),
    };
  } else if (/json/i.test(contentType)) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        attributes = parsed as Record<string, unknown>;
      }
    } catch {
      // Not JSON after all: show what the headers say.
    }
  }
  const summary: DeliverySummary = { method, path };
  const webhookId = header(headers, 'webhook-id');
  if (webhookId !== undefined) summary.webhookId = webhookId;
  for (const name of ['type', 'subject', 'id', 'source'] as const) {
    const value = stringField(attributes, name);
    if (value !== undefined) summary[name] = value;
  }
  return summary;
}

/** One line: `POST /webhooks/orders webhook-id=... type=order.created subject=... id=...`. */
export function formatDeliverySummary(summary: DeliverySummary): string {
  const parts = [`${summary.method} ${summary.path}`, `webhook-id=${summary.webhookId ?? '-'}`];
  parts.push(`type=${summary.type ?? '-'}`, `subject=${summary.subject ?? '-'}`, `id=${summary.id ?? '-'}`);
  return parts.join(' ');
}
