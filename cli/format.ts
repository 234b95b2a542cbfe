/**
 * Human output: aligned tables and the event timeline. Pure: values in, lines out. The types
 * here name only what is printed; the API's generated types must be assignable to them, so a
 * field the API drops or retypes fails the build (cli/api/schema.ts).
 */

export interface AttemptView {
  n: number;
  at: string;
  outcome: string;
  httpStatus?: number;
  durationMs: number;
  error?: string;
}

export interface DeliveryView {
  deliveryId: string;
  subscription: string;
  status: string;
  attempts: AttemptView[];
  eventKey?: string;
  createdAt?: string;
  updatedAt?: string;
  nextAttemptAt?: string;
  deadLetter?: { reason: string; description: string; at: string };
  lastInvocationError?: { at: string; attempt: number; error: string };
}

export interface EventStatusView {
  eventKey: string;
  topic: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  receivedAt: string;
  sizeBytes: number;
  matchedSubscriptions: string[];
  deliveries: DeliveryView[];
  /** The CloudEvent (attributes, `data` or `data_base64`, extensions). */
  event?: Record<string, unknown>;
  payloadRef?: string;
}

/**
 * A value as one line of terminal text: control characters (escape sequences included) become
 * spaces, since API data (an endpoint's error text, a header) must not steer the terminal.
 */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}

/** Left-aligned columns, two spaces apart, headers in capitals; the last column is not padded. */
export function table(headers: string[], rows: unknown[][]): string[] {
  const cells = [headers.map((header) => header.toUpperCase()), ...rows.map((row) => row.map(cell))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((text, column) => (column === row.length - 1 ? text : text.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `label  value` lines with the values aligned; empty values are left out. */
export function keyValues(pairs: Array<[string, unknown]>): string[] {
  const shown = pairs.filter(([, value]) => cell(value) !== '');
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${label.padEnd(width)}  ${cell(value)}`);
}

export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** At most `max` characters, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const ATTEMPT_HEADERS = ['time', 'attempt', 'outcome', 'http', 'duration', 'error'];

function attemptRow(attempt: AttemptView): unknown[] {
  return [
    attempt.at,
    attempt.n,
    attempt.outcome,
    attempt.httpStatus ?? '-',
    duration(attempt.durationMs),
    attempt.error ?? '',
  ];
}

/** One delivery: its status line, its attempts as a timeline, and why it stopped or what comes next. */
export function deliveryTimeline(delivery: DeliveryView): string[] {
  const count = delivery.attempts.length;
  const lines = [
    `${cell(delivery.subscription)}  ${cell(delivery.status)}  (${count === 0 ? 'no attempt yet' : count === 1 ? '1 attempt' : `${count} attempts`})`,
  ];
  if (count > 0) {
    const attempts = [...delivery.attempts].sort((a, b) => a.n - b.n);
    lines.push(...table(ATTEMPT_HEADERS, attempts.map(attemptRow)).map((line) => `  ${line}`));
  }
  if (delivery.deadLetter) {
    lines.push(
      `  dead-lettered at ${cell(delivery.deadLetter.at)}: ${cell(delivery.deadLetter.reason)}: ${cell(delivery.deadLetter.description)}`,
    );
  } else if (delivery.nextAttemptAt) {
    lines.push(`  next attempt at ${cell(delivery.nextAttemptAt)}`);
  }
  if (delivery.lastInvocationError) {
    const failure = delivery.lastInvocationError;
    lines.push(
      `  last failed invocation at ${cell(failure.at)} (attempt ${failure.attempt}): ${cell(failure.error)}`,
    );
  }
  return lines;
}

function eventData(status: EventStatusView): string | undefined {
  if (status.event) {
    const { data, data_base64: base64 } = status.event;
    if (data !== undefined) return truncate(cell(data), 200);
    if (typeof base64 === 'string') return `(binary, ${base64.length} base64 characters)`;
    return undefined;
  }
  return status.payloadRef !== undefined ? `(stored by claim check: ${status.payloadRef})` : undefined;
}

/** `events show`: the event, what it matched, then each delivery's timeline. */
export function formatEventStatus(status: EventStatusView): string[] {
  const lines = keyValues([
    ['Event key', status.eventKey],
    ['Topic', status.topic],
    ['Type', status.type],
    ['Source', status.source],
    ['Id', status.id],
    ['Subject', status.subject],
    ['Received', status.receivedAt],
    ['Size', `${status.sizeBytes} bytes`],
    ['Data', eventData(status)],
    [
      'Matched',
      status.matchedSubscriptions.length > 0 ? status.matchedSubscriptions.join(', ') : 'no subscription',
    ],
  ]);
  for (const delivery of status.deliveries) lines.push('', ...deliveryTimeline(delivery));
  return lines;
}

function lastAttempt(delivery: DeliveryView): AttemptView | undefined {
  return delivery.attempts.reduce<AttemptView | undefined>(
    (last, attempt) => (!last || attempt.n > last.n ? attempt : last),
    undefined,
  );
}

/** `deliveries`: one row per delivery, newest first as the API lists them. */
export function deliveriesTable(deliveries: DeliveryView[]): string[] {
  return table(
    ['event key', 'status', 'attempts', 'last attempt', 'outcome', 'http', 'error'],
    deliveries.map((delivery) => {
      const last = lastAttempt(delivery);
      return [
        delivery.eventKey ?? '',
        delivery.status,
        delivery.attempts.length,
        last?.at ?? '-',
        last?.outcome ?? '-',
        last?.httpStatus ?? '-',
        truncate(cell(delivery.deadLetter?.description ?? last?.error ?? ''), 80),
      ];
    }),
  );
}

/** `deadletters list`: one row per dead-lettered delivery, with the reason. */
export function deadLettersTable(deliveries: DeliveryView[]): string[] {
  return table(
    ['event key', 'dead-lettered at', 'reason', 'attempts', 'description'],
    deliveries.map((delivery) => [
      delivery.eventKey ?? '',
      delivery.deadLetter?.at ?? '-',
      delivery.deadLetter?.reason ?? '-',
      delivery.attempts.length,
      truncate(cell(delivery.deadLetter?.description ?? ''), 100),
    ]),
  );
}
