// Switchyard on Azure: everything `azd up` provisions. Subscription scope so the resource group
// is part of the deployment. Modules in app/ hold one concern each; names come from
// abbreviations.json + a token unique to (subscription, environment, location).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; part of every resource name.')
param environmentName string

@minLength(1)
@description('Azure region for all resources. Only regions that offer Flex Consumption function apps are allowed.')
// The regions of the official Flex Consumption azd template (Azure-Samples/functions-quickstart-typescript-azd),
// less its canary region eastus2euap. `az functionapp list-flexconsumption-locations` lists the current ones.
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user (or CI principal), granted data roles to run the app locally against these resources. Empty to skip.')
param principalId string = ''

@description('Email address for alert notifications. Empty: alerts fire in the portal only.')
param alertEmail string = ''

@description('Node.js version of the Functions runtime. 22 by default: Node.js 20 is past its end of life and applicationinsights 3.x requires 22.')
@allowed([
  '20'
  '22'
])
param nodeVersion string = '22'

@description('Upper bound of function app instances; bounds cost under load.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Daily ingestion cap of the Log Analytics workspace, in GB; ingestion stops for the rest of the day once reached. -1 for no cap.')
@minValue(-1)
param logAnalyticsDailyCapGb int = 5

@description('Traces per second each app instance sends to Application Insights (SWITCHYARD_TELEMETRY_TRACES_PER_SECOND); 0 keeps every trace.')
@minValue(0)
@maxValue(1000)
param telemetryTracesPerSecond int = 5

@description('Entra ID tenant whose access tokens the API accepts. Default: the deployment\'s tenant.')
param authTenantId string = tenant().tenantId

@description('Application (client) id of the Switchyard API app registration: the audience tokens must carry. Empty: no token is accepted (every call answers 401 until it is set; see docs/deploying.md).')
param authAudience string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
// Names are computed here, not read from module outputs, so modules that look resources up by
// name (rbac, alerts) get values known before deployment and What-If can predict them.
var names = {
  resourceGroup: '${abbrs.resourcesResourceGroups}${environmentName}'
  identity: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
  logAnalytics: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
  applicationInsights: '${abbrs.insightsComponents}${resourceToken}'
  serviceBus: '${abbrs.serviceBusNamespaces}${resourceToken}'
  cosmos: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
  storage: '${abbrs.storageStorageAccounts}${resourceToken}'
  plan: '${abbrs.webServerFarms}${resourceToken}'
  functionApp: '${abbrs.webSitesFunctions}api-${resourceToken}'
  actionGroup: '${abbrs.insightsActionGroups}${resourceToken}'
}

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    dailyCapGb: logAnalyticsDailyCapGb
  }
}

module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: names.serviceBus
    location: location
    tags: tags
  }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: names.cosmos
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    nodeVersion: nodeVersion
    maximumInstanceCount: maximumInstanceCount
    telemetryTracesPerSecond: telemetryTracesPerSecond
    authIssuer: empty(authAudience) ? '' : '${environment().authentication.loginEndpoint}${authTenantId}/v2.0'
    authAudience: authAudience
  }
  // The app starts with its roles in place: without them the host cannot reach its storage
  // or deployment package and the first deployment fails.
  dependsOn: [
    rbac
  ]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appIdentityName: names.identity
    userPrincipalId: principalId
    serviceBusNamespaceName: names.serviceBus
    cosmosAccountName: names.cosmos
    storageAccountName: names.storage
    applicationInsightsName: names.applicationInsights
    // Literal, like the names above, so role assignment names are known before deployment;
    // test/unit/infra/drift.test.ts checks them against the queues functions/ triggers read.
    triggerQueueNames: [
      'ingress'
      'deliveries'
    ]
  }
  dependsOn: [
    identity
    serviceBus
    cosmos
    storage
    monitoring
  ]
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    namePrefix: 'switchyard-${resourceToken}'
    actionGroupName: names.actionGroup
    alertEmail: alertEmail
    serviceBusNamespaceName: names.serviceBus
    deadLettersQueueName: serviceBus.outputs.deadLettersQueueName
    applicationInsightsName: names.applicationInsights
  }
  dependsOn: [
    monitoring
  ]
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    environmentName: environmentName
    applicationInsightsName: names.applicationInsights
  }
  dependsOn: [
    monitoring
  ]
}

// azd stores these in .azure/<env>/.env (`azd env get-values`); docs/deploying.md shows how to
// use them in local.settings.json.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICEBUS_FULLY_QUALIFIED_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output COSMOS_ACCOUNT_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output PAYLOAD_BLOB_SERVICE_URI string = storage.outputs.blobEndpoint
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
