import type { TopicConfig } from '../config/schema';
import type { XmlNode } from './atomXml';
import {
  countDetails,
  durationText,
  readBoolean,
  readDuration,
  readInteger,
  timeFields,
  type RuntimeCounts,
} from './descriptionFields';
import type { EntityRecord } from './entityRecord';
import { withoutUndefined } from './queueXml';

type TopicProperties = NonNullable<TopicConfig['Properties']>;

/** A TopicDescription from a PUT body as Config.json Properties (validated by the caller). */
export function topicPropertiesFromXml(fields: XmlNode): TopicProperties {
  return withoutUndefined({
    DefaultMessageTimeToLive: readDuration(fields, 'DefaultMessageTimeToLive'),
    MaxSizeInMegabytes: readInteger(fields, 'MaxSizeInMegabytes'),
    RequiresDuplicateDetection: readBoolean(fields, 'RequiresDuplicateDetection'),
    DuplicateDetectionHistoryTimeWindow: readDuration(fields, 'DuplicateDetectionHistoryTimeWindow'),
  });
}

/** The TopicDescription the service returns. */
export function topicContent(
  record: EntityRecord,
  counts: RuntimeCounts,
  subscriptionCount: number,
  accessedAt: number | undefined,
): XmlNode {
  const p = record.properties as TopicProperties;
  const times = timeFields({ ...record, accessedAt });
  return {
    DefaultMessageTimeToLive: durationText(p.DefaultMessageTimeToLive, Infinity),
    MaxSizeInMegabytes: String(p.MaxSizeInMegabytes ?? 64),
    RequiresDuplicateDetection: String(p.RequiresDuplicateDetection ?? false),
    DuplicateDetectionHistoryTimeWindow: durationText(p.DuplicateDetectionHistoryTimeWindow, 600_000),
    EnableBatchedOperations: record.echoed.EnableBatchedOperations ?? 'true',
    SizeInBytes: String(counts.sizeInBytes),
    FilteringMessagesBeforePublishing: 'false',
    IsAnonymousAccessible: 'false',
    AuthorizationRules: '',
    Status: record.echoed.Status ?? 'Active',
    UserMetadata: record.echoed.UserMetadata,
    CreatedAt: times.CreatedAt,
    UpdatedAt: times.UpdatedAt,
    AccessedAt: times.AccessedAt,
    SupportOrdering: record.echoed.SupportOrdering ?? 'true',
    CountDetails: countDetails(counts),
    SubscriptionCount: String(subscriptionCount),
    AutoDeleteOnIdle: record.echoed.AutoDeleteOnIdle ?? durationText(undefined, Infinity),
    EnablePartitioning: 'false',
    IsExpress: 'false',
    EntityAvailabilityStatus: 'Available',
    EnableSubscriptionPartitioning: 'false',
    EnableExpress: 'false',
    MaxMessageSizeInKilobytes: '256',
  };
}
