import { type Envelope, envelopeType, operationId } from './envelopes';

/** Custom properties worth seeing at a glance; the pipeline sets these on all its telemetry. */
const KEY_PROPERTIES = [
  'eventKey',
  'topic',
  'subscription',
  'deliveryId',
  'attempt',
  'outcome',
  'reason',
  'queue',
];

/**
 * One line per envelope for the live view:
 * `17:25:49.123 Request          POST /api/topics/orders/events op=4bf92f35 202 12ms topic=orders`.
 */
export function formatEnvelope(envelope: Envelope): string {
  const baseData = envelope.data?.baseData;
  const time = envelope.time.slice(11, 23);
  const type = envelopeType(envelope).padEnd(16);
  const operation = `op=${(operationId(envelope) ?? '-').slice(0, 8)}`;

  let what: string;
  if (baseData?.metrics) {
    what = baseData.metrics
      .map((metric) => {
        const count = metric.count !== undefined && metric.count > 1 ? ` (n=${metric.count})` : '';
        return `${metric.name}=${round(metric.value)}${count}`;
      })
      .join(' ');
  } else if (baseData?.message !== undefined) {
    what = `[${baseData.severityLevel ?? '?'}] ${baseData.message}`;
  } else if (baseData?.exceptions) {
    what = baseData.exceptions.map((e) => `${e.typeName ?? 'Error'}: ${e.message ?? ''}`).join('; ');
  } else {
    const result = baseData?.responseCode ?? baseData?.resultCode;
    const outcome = baseData?.success === false ? ' FAILED' : '';
    const duration = baseData?.duration ? ` ${durationMs(baseData.duration)}ms` : '';
    what = `${baseData?.name ?? envelope.name}${result !== undefined ? ` ${result}` : ''}${duration}${outcome}`;
  }

  const properties = baseData?.properties ?? {};
  const keyProps = KEY_PROPERTIES.filter((key) => properties[key] !== undefined)
    .map((key) => `${key}=${properties[key]}`)
    .join(' ');
  return [time, type, what, operation, keyProps].filter((part) => part !== '').join(' ');
}

/** Breeze durations are "d.hh:mm:ss.fff" or "hh:mm:ss.fff". */
export function durationMs(duration: string): number {
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(duration);
  if (!match) return NaN;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return Math.round(
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000,
  );
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
