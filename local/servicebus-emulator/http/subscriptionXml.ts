import type { SubscriptionConfig } from '../config/schema';
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
import { withoutUndefined } from './queueXml';

type SubscriptionProperties = NonNullable<SubscriptionConfig['Properties']>;

/** A SubscriptionDescription from a PUT body as Config.json Properties (validated by the caller). */
export function subscriptionPropertiesFromXml(fields: XmlNode): SubscriptionProperties {
  return withoutUndefined({
    LockDuration: readDuration(fields, 'LockDuration'),
    RequiresSession: readBoolean(fields, 'RequiresSession'),
    DefaultMessageTimeToLive: readDuration(fields, 'DefaultMessageTimeToLive'),
    DeadLetteringOnMessageExpiration: readBoolean(fields, 'DeadLetteringOnMessageExpiration'),
    MaxDeliveryCount: readInteger(fields, 'MaxDeliveryCount'),
    ForwardTo: entityNameOf(readText(fields, 'ForwardTo')),
    ForwardDeadLetteredMessagesTo: entityNameOf(readText(fields, 'ForwardDeadLetteredMessagesTo')),
  });
}

/** The SubscriptionDescription the service returns. */
export function subscriptionContent(
  record: EntityRecord,
  counts: RuntimeCounts,
  accessedAt: number | undefined,
  namespaceUrl: string,
): XmlNode {
  const p = record.properties as SubscriptionProperties;
  const forward = (name: string | undefined): string | undefined =>
    name ? `${namespaceUrl}/${name}` : undefined;
  const times = timeFields({ ...record, accessedAt });
  return {
    LockDuration: durationText(p.LockDuration, 60_000),
    RequiresSession: String(p.RequiresSession ?? false),
    DefaultMessageTimeToLive: durationText(p.DefaultMessageTimeToLive, Infinity),
    DeadLetteringOnMessageExpiration: String(p.DeadLetteringOnMessageExpiration ?? false),
    DeadLetteringOnFilterEvaluationExceptions: 'false',
    MessageCount: String(totalCount(counts)),
    MaxDeliveryCount: String(p.MaxDeliveryCount ?? 10),
    EnableBatchedOperations: record.echoed.EnableBatchedOperations ?? 'true',
    Status: record.echoed.Status ?? 'Active',
    ForwardTo: forward(p.ForwardTo),
    CreatedAt: times.CreatedAt,
    UpdatedAt: times.UpdatedAt,
    AccessedAt: times.AccessedAt,
    CountDetails: countDetails(counts),
    UserMetadata: record.echoed.UserMetadata,
    ForwardDeadLetteredMessagesTo: forward(p.ForwardDeadLetteredMessagesTo),
    AutoDeleteOnIdle: record.echoed.AutoDeleteOnIdle ?? durationText(undefined, Infinity),
    EntityAvailabilityStatus: 'Available',
  };
}
