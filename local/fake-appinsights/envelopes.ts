import { gunzipSync } from 'node:zlib';

import { z } from 'zod';

/**
 * One telemetry item as the Application Insights ingestion endpoint (Breeze) receives it:
 * `{ver, name, time, iKey, tags, data: {baseType, baseData}}`. baseType is RequestData,
 * RemoteDependencyData, MessageData, ExceptionData, EventData or MetricData.
 */
const envelopeSchema = z.looseObject({
  name: z.string(),
  time: z.string(),
  ver: z.number().optional(),
  iKey: z.string().optional(),
  sampleRate: z.number().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  data: z
    .looseObject({
      baseType: z.string(),
      baseData: z.looseObject({
        name: z.string().optional(),
        id: z.string().optional(),
        duration: z.string().optional(),
        success: z.boolean().optional(),
        responseCode: z.string().optional(),
        resultCode: z.string().optional(),
        type: z.string().optional(),
        target: z.string().optional(),
        data: z.string().optional(),
        url: z.string().optional(),
        message: z.string().optional(),
        severityLevel: z.string().optional(),
        properties: z.record(z.string(), z.string()).optional(),
        measurements: z.record(z.string(), z.number()).optional(),
        metrics: z
          .array(
            z.looseObject({
              name: z.string(),
              value: z.number(),
              count: z.number().optional(),
              min: z.number().optional(),
              max: z.number().optional(),
              ns: z.string().optional(),
            }),
          )
          .optional(),
        exceptions: z
          .array(z.looseObject({ typeName: z.string().optional(), message: z.string().optional() }))
          .optional(),
      }),
    })
    .optional(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

export interface ParsedBatch {
  accepted: Envelope[];
  /** Index in the batch and why the item was refused, as Breeze reports partial success. */
  errors: Array<{ index: number; statusCode: number; message: string }>;
}

/**
 * Reads a POST /v2.1/track body: gzip or plain, a JSON array of envelopes (what the 3.x
 * exporter sends) or newline-delimited JSON (what the 2.x SDK sent). Throws if the body is
 * not JSON at all; single invalid items are reported in `errors`, as the real endpoint does.
 */
export function parseTrackBody(body: Buffer, contentEncoding?: string): ParsedBatch {
  const isGzip = contentEncoding?.toLowerCase() === 'gzip' || (body[0] === 0x1f && body[1] === 0x8b);
  const text = (isGzip ? gunzipSync(body) : body).toString('utf8').trim();
  const items: unknown[] = text.startsWith('[')
    ? (JSON.parse(text) as unknown[])
    : text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown);

  const batch: ParsedBatch = { accepted: [], errors: [] };
  items.forEach((item, index) => {
    const result = envelopeSchema.safeParse(item);
    if (result.success) batch.accepted.push(result.data);
    else batch.errors.push({ index, statusCode: 400, message: z.prettifyError(result.error) });
  });
  return batch;
}

/** The short type name of an envelope: Request, RemoteDependency, Message, Metric, ... */
export function envelopeType(envelope: Envelope): string {
  return (envelope.data?.baseType ?? envelope.name).replace(/Data$/, '');
}

/** The envelope's operation (trace) id, the key that ties one event's telemetry together. */
export function operationId(envelope: Envelope): string | undefined {
  return envelope.tags?.['ai.operation.id'];
}
