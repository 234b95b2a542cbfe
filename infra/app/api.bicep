// The Functions app on the Flex Consumption plan, running as a user-assigned managed identity.
// App settings carry exactly the names the code reads (SETTINGS in shared/config/names.ts):
// test/unit/infra/drift.test.ts fails if a name is missing here or unknown to the code.

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the plan and the app (the app also gets azd-service-name).')
param tags { *: string }

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity: the app settings select it with __clientId.')
param identityClientId string

@description('Name of the storage account for the host, the deployment package and payloads.')
param storageAccountName string

@description('Blob endpoint of that storage account (https://<account>.blob.<suffix>/).')
param storageBlobEndpoint string

@description('Blob container Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Service Bus namespace host name (<namespace>.servicebus.windows.net).')
param serviceBusFullyQualifiedNamespace string

@description('Cosmos DB account endpoint (https://<account>.documents.azure.com:443/).')
param cosmosEndpoint string

@description('Cosmos DB database name.')
param cosmosDatabaseName string

@description('Application Insights connection string (holds no secret: local auth is disabled).')
param applicationInsightsConnectionString string

@description('Issuer whose access tokens the app accepts (Entra ID v2.0 endpoint of the tenant); empty: none.')
param authIssuer string

@description('Audience those tokens must carry: the Switchyard API app registration\'s client id.')
param authAudience string

@description('Node.js version of the Functions runtime.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of instances the app scales out to; bounds cost under load.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

// 5, the code's default and the README's promise: a subscription change reaches every instance
// within 5 s. Cheap at any scale: one subscriptions query per topic per instance per 5 s.
@description('Seconds subscriptions stay cached per instance (SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS).')
@minValue(0)
@maxValue(3600)
param subscriptionCacheSeconds int = 5

@description('Traces per second each instance sends to Application Insights (SWITCHYARD_TELEMETRY_TRACES_PER_SECOND); 0 keeps every trace.')
@minValue(0)
@maxValue(1000)
param telemetryTracesPerSecond int = 5

// FC1 = Flex Consumption: per-execution billing, scale to zero, no always-ready instances.
resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // No ftpsState: Flex Consumption has no FTP and lists the property as unsupported; basic
    // publishing credentials are turned off below instead.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

// No basic (user name + password) publishing credentials: azd deploys to Flex Consumption with
// an Entra ID token, so nothing needs them, and a leaked publish profile could replace the code.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

// Plain object (no union) so every name is visible here and to the drift test. Flex Consumption
// sets FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION itself and rejects them here.
// Every route is anonymous at the Functions host and the app authenticates each call (Entra ID
// tokens of authIssuer/authAudience, Switchyard API keys). SWITCHYARD_ADMIN_KEY is not set here:
// with no audience configured nothing authenticates and every call but /health answers 401.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // Functions host storage (leases, keys) through the managed identity.
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    CosmosDbConnection__accountEndpoint: cosmosEndpoint
    CosmosDbConnection__credential: 'managedidentity'
    CosmosDbConnection__clientId: identityClientId
    PayloadStorageConnection__blobServiceUri: storageBlobEndpoint
    PayloadStorageConnection__credential: 'managedidentity'
    PayloadStorageConnection__clientId: identityClientId
    SWITCHYARD_COSMOS_DATABASE: cosmosDatabaseName
    // Empty: in Azure, webhooks to private addresses are always refused.
    SWITCHYARD_ALLOWED_PRIVATE_CIDRS: ''
    SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: string(subscriptionCacheSeconds)
    SWITCHYARD_AUTH_ISSUER: authIssuer
    SWITCHYARD_AUTH_AUDIENCE: authAudience
    // The reconcile timer (docs/operations.md): every minute; overdue retries after 15 min.
    SWITCHYARD_RECONCILE_SCHEDULE: '0 */1 * * * *'
    SWITCHYARD_RECONCILE_GRACE_SECONDS: '900'
    // route and deliver take a message each; 'many': batches (docs/operations.md, "Throughput and concurrency").
    SWITCHYARD_PIPELINE_CARDINALITY: 'one'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    // An upper bound on trace ingestion: at most (instances x this) traces per second.
    SWITCHYARD_TELEMETRY_TRACES_PER_SECOND: string(telemetryTracesPerSecond)
    // WebHook-Request-Origin of the validation handshake: endpoints allow this name.
    SWITCHYARD_WEBHOOK_ORIGIN: app.properties.defaultHostName
    // Entra ID auth for telemetry, since the component has local auth disabled.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
