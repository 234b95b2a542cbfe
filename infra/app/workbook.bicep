// The Switchyard workbook: flow, failures, latency and dead letters on one page, read from the
// Application Insights component the app sends to. The content is workbook.json (the Notebook/1.0
// format the portal's "Advanced Editor" shows); test/unit/infra/workbook.test.ts checks that its
// queries use only the metric names and custom dimensions the app records.

@description('Azure region.')
param location string

@description('Tags for the workbook.')
param tags { *: string }

@description('Name of the azd environment: with the resource group it makes the workbook\'s stable GUID name.')
param environmentName string

@description('Name of the Application Insights component the workbook reads (its source).')
param applicationInsightsName string

@description('Name shown in the workbook gallery.')
param displayName string = 'Switchyard'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The source decides where the workbook is listed (Application Insights > Workbooks) and what its
// queries read when opened there; fallbackResourceIds does the same when it is opened by its own link.
var content = union(loadJsonContent('workbook.json'), {
  fallbackResourceIds: [
    applicationInsights.id
  ]
})

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one stays the same across deployments, so a
  // redeployment updates the workbook instead of adding a copy.
  name: guid(resourceGroup().id, environmentName, 'switchyard-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsights.id
    version: 'Notebook/1.0'
    serializedData: string(content)
  }
}

output id string = workbook.id
output name string = workbook.name
