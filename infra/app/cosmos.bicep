// Cosmos DB: the record of Switchyard (subscriptions, events, deliveries with their attempts).
// Database, container names and partition keys are the ones in shared/config/names.ts
// (DEFAULT_COSMOS_DATABASE, CONTAINERS); test/unit/infra/drift.test.ts fails if they drift apart.

@description('Name of the Cosmos DB account.')
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags { *: string }

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-10-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    // Serverless: billed per request unit consumed and GB stored, nothing for idle time.
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    // Entra ID only (sqlRoleAssignments below); no account keys in use.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-10-15' = {
  parent: account
  name: 'switchyard'
  properties: {
    resource: {
      id: 'switchyard'
    }
  }
}

// Subscriptions of a topic are read together (one partition per topic), so /topic.
// Small and read through a cache: index everything but the signing secret, which is never queried.
resource subscriptionsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-10-15' = {
  parent: database
  name: 'subscriptions'
  properties: {
    resource: {
      id: 'subscriptions'
      partitionKey: {
        paths: [
          '/topic'
        ]
        kind: 'Hash'
      }
      // -1: TTL is on, but an item expires only if it sets its own ttl.
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/*'
          }
        ]
        excludedPaths: [
          {
            path: '/signingSecret/?'
          }
          {
            path: '/"_etag"/?'
          }
        ]
      }
    }
  }
}

// Switchyard API keys, one item per name (id = name), read by point read and cached. They hold
// the keys' SHA-256, never a key.
resource apiKeysContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-10-15' = {
  parent: database
  name: 'apikeys'
  properties: {
    resource: {
      id: 'apikeys'
      partitionKey: {
        paths: [
          '/name'
        ]
        kind: 'Hash'
      }
    }
  }
}

// An event and its deliveries share the partition /eventKey, so "what happened to event X?"
// is one single-partition query. The event body itself is never queried: not indexed, which
// keeps the write cost of large events flat.
resource eventsContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-10-15' = {
  parent: database
  name: 'events'
  properties: {
    resource: {
      id: 'events'
      partitionKey: {
        paths: [
          '/eventKey'
        ]
        kind: 'Hash'
      }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/*'
          }
        ]
        excludedPaths: [
          {
            path: '/event/*'
          }
          {
            path: '/matchedSubscriptions/*'
          }
          {
            path: '/"_etag"/?'
          }
        ]
      }
    }
  }
}

// Deliveries are listed per subscription and status (management API), so those stay indexed;
// the attempt log grows with every retry and is only read with its delivery: not indexed.
resource deliveriesContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-10-15' = {
  parent: database
  name: 'deliveries'
  properties: {
    resource: {
      id: 'deliveries'
      partitionKey: {
        paths: [
          '/eventKey'
        ]
        kind: 'Hash'
      }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [
          {
            path: '/*'
          }
        ]
        excludedPaths: [
          {
            path: '/attempts/*'
          }
          {
            path: '/deadLetter/description/?'
          }
          {
            path: '/"_etag"/?'
          }
        ]
      }
    }
  }
}

// The last error route threw on each ingress message, read back by id only (reconcile, when
// Service Bus dead-letters the message): nothing to index. Kept 14 days, the ingress queue's TTL.
resource routeFailuresContainer 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-10-15' = {
  parent: database
  name: 'routefailures'
  properties: {
    resource: {
      id: 'routefailures'
      partitionKey: {
        paths: [
          '/id'
        ]
        kind: 'Hash'
      }
      defaultTtl: -1
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: []
        excludedPaths: [
          {
            path: '/*'
          }
        ]
      }
    }
  }
}

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
