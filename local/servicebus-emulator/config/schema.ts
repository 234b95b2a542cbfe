import { z } from 'zod';
import { parseIsoDuration } from './duration';

/** The official Service Bus emulator's Config.json shape; every Properties field is optional. */
const isoDuration = z.string().refine((text) => parseIsoDuration(text) !== undefined, {
  message: 'expected ISO 8601 duration',
});

const correlationFilter = z.object({
  ContentType: z.string().optional(),
  CorrelationId: z.string().optional(),
  Label: z.string().optional(),
  MessageId: z.string().optional(),
  ReplyTo: z.string().optional(),
  ReplyToSessionId: z.string().optional(),
  SessionId: z.string().optional(),
  To: z.string().optional(),
  Properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const rule = z.object({
  Name: z.string().min(1),
  Properties: z.object({
    FilterType: z.enum(['Sql', 'Correlation']),
    SqlFilter: z.object({ SqlExpression: z.string() }).optional(),
    CorrelationFilter: correlationFilter.optional(),
    Action: z.object({ SqlExpression: z.string() }).optional(),
  }),
});

const receivableProperties = {
  DeadLetteringOnMessageExpiration: z.boolean().optional(),
  DefaultMessageTimeToLive: isoDuration.optional(),
  ForwardDeadLetteredMessagesTo: z.string().optional(),
  ForwardTo: z.string().optional(),
  LockDuration: isoDuration.optional(),
  MaxDeliveryCount: z.number().int().min(1).optional(),
  RequiresSession: z.boolean().optional(),
  /** Not in the official emulator: bounds the entity's memory (default 64). */
  MaxSizeInMegabytes: z.number().int().min(1).optional(),
};

const duplicateDetection = {
  DuplicateDetectionHistoryTimeWindow: isoDuration.optional(),
  RequiresDuplicateDetection: z.boolean().optional(),
};

const entityName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,259}$/, {
  message: 'expected letters, digits, . _ - / (max 260)',
});

const queue = z.object({
  Name: entityName,
  Properties: z.object({ ...receivableProperties, ...duplicateDetection }).optional(),
});

const subscription = z.object({
  Name: entityName,
  Properties: z.object(receivableProperties).optional(),
  Rules: z.array(rule).optional(),
});

const topic = z.object({
  Name: entityName,
  Properties: z
    .object({
      ...duplicateDetection,
      DefaultMessageTimeToLive: isoDuration.optional(),
      MaxSizeInMegabytes: z.number().int().min(1).optional(),
    })
    .optional(),
  Subscriptions: z.array(subscription).optional(),
});

const namespace = z.object({
  Name: z.string().min(1),
  Queues: z.array(queue).optional(),
  Topics: z.array(topic).optional(),
});

export const emulatorConfigSchema = z.object({
  UserConfig: z.object({
    Namespaces: z.array(namespace).min(1),
    Logging: z.object({ Type: z.string() }).optional(),
  }),
  /** Not in the official emulator (its key is fixed): the SAS key name and key to accept. */
  Auth: z.object({ SharedAccessKeyName: z.string().min(1), SharedAccessKey: z.string().min(1) }).optional(),
});

export type EmulatorConfig = z.input<typeof emulatorConfigSchema>;
export type QueueConfig = z.infer<typeof queue>;
export type TopicConfig = z.infer<typeof topic>;
export type SubscriptionConfig = z.infer<typeof subscription>;
export type RuleConfig = z.infer<typeof rule>;
