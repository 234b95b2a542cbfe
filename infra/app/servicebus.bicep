// Service Bus: the in-flight state of Switchyard. Queue names are the ones in
// shared/config/names.ts (QUEUES); test/unit/infra/drift.test.ts fails if they drift apart.
// The properties match local/stack/servicebus-config.json so local runs behave like Azure, with
// one difference: here an expired dead letter moves to the native dead-letter sub-queue of
// "deadletters" (where the alert sees it) instead of vanishing.

@description('Name of the Service Bus namespace.')
param name string

@description('Azure region.')
param location string

@description('Tags for the namespace.')
param tags { *: string }

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  // Standard: the cheapest tier with duplicate detection (publish idempotency) and topics
  // (ServiceBusTopic destinations); Basic has neither. Premium's 1 MB messages are not worth its
  // fixed price: messages are up to 256 KB, bigger payloads travel by claim check through Blob.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Entra ID only: no SAS keys exist to leak; the app uses its managed identity.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

// Events published over HTTP or sent by publishers directly; read by the route function.
// Duplicate detection makes publishing idempotent: the same source+id (the message id) sent
// twice within 10 minutes is stored once.
resource ingressQueue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: namespace
  name: 'ingress'
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    requiresSession: false
    enablePartitioning: false
  }
}

// One message per (event, subscription) attempt; read by the deliver function. Duplicate
// detection drops a re-sent attempt when route or deliver runs twice for the same message id.
resource deliveriesQueue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: namespace
  name: 'deliveries'
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    requiresSession: false
    enablePartitioning: false
  }
}

// The product's dead letters: deliveries that could not be delivered, with reason and
// description. One session per subscription ("topic/name"), so redrive takes exactly one
// subscription's dead letters off the queue; an alert fires while it holds any.
resource deadLettersQueue 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = {
  parent: namespace
  name: 'deadletters'
  properties: {
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: false
    requiresSession: true
    enablePartitioning: false
  }
}

output id string = namespace.id
output name string = namespace.name
// The host name alone (ns.servicebus.windows.net), as ServiceBusConnection__fullyQualifiedNamespace
// expects; derived from the endpoint so no cloud-specific suffix is hard-coded.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output deadLettersQueueName string = deadLettersQueue.name
