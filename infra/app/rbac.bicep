// Least-privilege data roles. The app's identity gets only what the code and the Functions host
// use; the deploying user (optional) gets the data roles needed to run the app locally against
// these resources. No role here can manage or delete the namespace, account or storage; the one
// Data Owner role (Service Bus, per trigger queue) is what the scale controller needs.

@description('Name of the app\'s user-assigned identity.')
param appIdentityName string

@description('Object id of the deploying user or CI principal; empty to grant nothing to it.')
param userPrincipalId string = ''

@description('Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Cosmos DB account name.')
param cosmosAccountName string

@description('Storage account name (host, deployment package, payloads).')
param storageAccountName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Queues the app\'s Service Bus triggers read (route: ingress, deliver: deliveries); the app owns these.')
param triggerQueueNames string[]

// Built-in role definition ids (the same in every tenant).
var roles = {
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
// Cosmos DB's data plane has its own RBAC: "Cosmos DB Built-in Data Contributor".
var cosmosDataContributorId = '00000000-0000-0000-0000-000000000002'
var grantUser = !empty(userPrincipalId)

// Role assignment names hash the identity's resource id, known before deployment (its principal
// id is only known once the identity exists), so What-If can predict them.
resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}
var appPrincipalId = appIdentity.properties.principalId

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource triggerQueues 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' existing = [
  for queueName in triggerQueueNames: {
    parent: serviceBus
    name: queueName
  }
]

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2025-10-15' existing = {
  name: cosmosAccountName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource cosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions@2025-10-15' existing = {
  parent: cosmos
  name: cosmosDataContributorId
}

// --- the app ---

// publish sends to ingress, route to deliveries, deliver to deliveries/deadletters and to
// Service Bus destinations in the namespace; redrive sends from the management API.
resource appServiceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus
  name: guid(serviceBus.id, appIdentity.id, roles.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The triggers receive from ingress and deliveries; the management API peeks and receives
// dead letters (deadletters and the native dead-letter sub-queues).
resource appServiceBusReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: serviceBus
  name: guid(serviceBus.id, appIdentity.id, roles.serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Data Owner on each queue a trigger reads, and on nothing else: the Functions scale controller
// (target-based scaling) reads the queue's runtime properties (active message count) with the
// app's identity, which needs the Manage right that only Data Owner carries. Without it Flex
// Consumption cannot size scale-out from the backlog. Microsoft Learn lists Data Owner as the
// trigger's role; the official Flex Service Bus template (Azure-Samples/functions-quickstart-
// dotnet-azd-service-bus) grants it. Queue scope keeps it off deadletters and destinations.
resource appServiceBusQueueOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in triggerQueueNames: {
    scope: triggerQueues[i]
    name: guid(triggerQueues[i].id, appIdentity.id, roles.serviceBusDataOwner)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Blob Data Owner is what the Functions host needs on AzureWebJobsStorage (it manages blob
// leases and keys) and what Flex Consumption needs to read the deployment package; payload
// blobs live in the same account. No queue or table role: the app has no blob-triggered,
// queue-triggered or Durable functions, the only host features that use them.
resource appStorageBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, appIdentity.id, roles.storageBlobDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Sending telemetry to a component with local auth disabled needs this role.
resource appMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: applicationInsights
  name: guid(applicationInsights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appCosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-10-15' = {
  parent: cosmos
  name: guid(cosmos.id, appIdentity.id, cosmosDataContributorId)
  properties: {
    roleDefinitionId: cosmosDataContributor.id
    principalId: appPrincipalId
    scope: cosmos.id
  }
}

// --- the deploying user, to run the app locally against Azure (docs/deploying.md) ---
// principalType is left out: the principal may be a user or a CI service principal.

resource userServiceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  scope: serviceBus
  name: guid(serviceBus.id, userPrincipalId, roles.serviceBusDataSender)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: userPrincipalId
  }
}

resource userServiceBusReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  scope: serviceBus
  name: guid(serviceBus.id, userPrincipalId, roles.serviceBusDataReceiver)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: userPrincipalId
  }
}

// Contributor, not Owner: locally the host's own storage is Azurite, so only payloads are read
// and written here.
resource userStorageBlobContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantUser) {
  scope: storage
  name: guid(storage.id, userPrincipalId, roles.storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: userPrincipalId
  }
}

resource userCosmosDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-10-15' = if (grantUser) {
  parent: cosmos
  name: guid(cosmos.id, userPrincipalId, cosmosDataContributorId)
  properties: {
    roleDefinitionId: cosmosDataContributor.id
    principalId: userPrincipalId
    scope: cosmos.id
  }
}
