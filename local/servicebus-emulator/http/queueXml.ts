import type { QueueConfig } from '../config/schema';
import type { XmlNode } from './atomXml';
import {
  countDetails,
  durationText,
  entityNameOf,
  readBoolean,
  readDuration,
  readInteger,
  readText,
  timeFields,
  totalCount,
  type RuntimeCounts,
} from './descriptionFields';
import type { EntityRecord } from './entityRecord';

type QueueProperties = NonNullable<QueueConfig['Properties']>;

/** A QueueDescription from a PUT body as Config.json Properties (validated by the caller). */
export function queuePropertiesFromXml(fields: XmlNode): QueueProperties {
  const properties: QueueProperties = {
    LockDuration: readDuration(fields, 'LockDuration'),
    MaxSizeInMegabytes: readInteger(fields, 'MaxSizeInMegabytes'),
    RequiresDuplicateDetection: readBoolean(fields, 'RequiresDuplicateDetection'),
    RequiresSession: readBoolean(fields, 'RequiresSession'),
    DefaultMessageTimeToLive: readDuration(fields, 'DefaultMessageTimeToLive'),
    DeadLetteringOnMessageExpiration: readBoolean(fields, 'DeadLetteringOnMessageExpiration'),
    DuplicateDetectionHistoryTimeWindow: readDuration(fields, 'DuplicateDetectionHistoryTimeWindow'),
    MaxDeliveryCount: readInteger(fields, 'MaxDeliveryCount'),
    ForwardTo: entityNameOf(readText(fields, 'ForwardTo')),
    ForwardDeadLetteredMessagesTo: entityNameOf(readText(fields, 'ForwardDeadLetteredMessagesTo')),
  };
  return withoutUndefined(properties);
}

/** The QueueDescription the service returns (element order as the service writes it). */
export function queueContent(
  record: EntityRecord,
  counts: RuntimeCounts,
  accessedAt: number | undefined,
  namespaceUrl: string,
): XmlNode {
  const p = record.properties as QueueProperties;
  const forward = (name: string | undefined): string | undefined =>
    name ? `${namespaceUrl}/${name}` : undefined;
  const times = timeFields({ ...record, accessedAt });
  return {
    LockDuration: durationText(p.LockDuration, 60_000),
    MaxSizeInMegabytes: String(p.MaxSizeInMegabytes ?? 64),
    RequiresDuplicateDetection: String(p.RequiresDuplicateDetection ?? false),
    RequiresSession: String(p.RequiresSession ?? false),
    DefaultMessageTimeToLive: durationText(p.DefaultMessageTimeToLive, Infinity),
    DeadLetteringOnMessageExpiration: String(p.DeadLetteringOnMessageExpiration ?? false),
    DuplicateDetectionHistoryTimeWindow: durationText(p.DuplicateDetectionHistoryTimeWindow, 600_000),
    MaxDeliveryCount: String(p.MaxDeliveryCount ?? 10),
    EnableBatchedOperations: record.echoed.EnableBatchedOperations ?? 'true',
    SizeInBytes: String(counts.sizeInBytes),
    MessageCount: String(totalCount(counts)),
    IsAnonymousAccessible: 'false',
    AuthorizationRules: '',
    Status: record.echoed.Status ?? 'Active',
    ForwardTo: forward(p.ForwardTo),
    UserMetadata: record.echoed.UserMetadata,
    CreatedAt: times.CreatedAt,
    UpdatedAt: times.UpdatedAt,
    AccessedAt: times.AccessedAt,
    SupportOrdering: 'true',
    CountDetails: countDetails(counts),
    AutoDeleteOnIdle: record.echoed.AutoDeleteOnIdle ?? durationText(undefined, Infinity),
    EnablePartitioning: 'false',
    EntityAvailabilityStatus: 'Available',
    ForwardDeadLetteredMessagesTo: forward(p.ForwardDeadLetteredMessagesTo),
    EnableExpress: 'false',
    MaxMessageSizeInKilobytes: '256',
  };
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
