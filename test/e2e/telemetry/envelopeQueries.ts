import { type Envelope, operationId } from '../../../local/fake-appinsights/envelopes';

/** Requests, dependencies, traces and exceptions of one operation (trace), in arrival order. */
export function itemsOf(envelopes: Envelope[], traceId: string, baseType: string): Envelope[] {
  return envelopes.filter(
    (envelope) => operationId(envelope) === traceId && envelope.data?.baseType === baseType,
  );
}

export function propertiesOf(envelope: Envelope | undefined): Record<string, string> {
  return envelope?.data?.baseData.properties ?? {};
}

export interface MetricPoint {
  value: number;
  count: number;
  properties: Record<string, string>;
}

/** Every exported data point of one metric (counters arrive as deltas, histograms as sum + count). */
export function metricPoints(envelopes: Envelope[], name: string): MetricPoint[] {
  return envelopes
    .filter((envelope) => envelope.data?.baseType === 'MetricData')
    .flatMap((envelope) =>
      (envelope.data?.baseData.metrics ?? [])
        .filter((metric) => metric.name === name)
        .map((metric) => ({
          value: metric.value,
          count: metric.count ?? 1,
          properties: envelope.data?.baseData.properties ?? {},
        })),
    );
}

/** Sum and count of a metric over the points whose dimensions include `dimensions`. */
export function metricTotal(
  envelopes: Envelope[],
  name: string,
  dimensions: Record<string, string>,
): { sum: number; count: number } {
  return metricPoints(envelopes, name)
    .filter((point) => Object.entries(dimensions).every(([key, value]) => point.properties[key] === value))
    .reduce((total, point) => ({ sum: total.sum + point.value, count: total.count + point.count }), {
      sum: 0,
      count: 0,
    });
}
