// Alerts on what needs a human: dead letters waiting (the product's "deadletters" queue and the
// native dead-letter sub-queues that catch poison messages), a high function failure rate, and
// a burst of deliveries being dead-lettered. Notifications go to an email action group when an
// address is given; without one the alerts still fire and show in the portal.

@description('Azure region (for the log alert; metric alerts and action groups are global).')
param location string

@description('Tags for the alert resources.')
param tags { *: string }

@description('Name prefix for the alert rules.')
param namePrefix string

@description('Name of the action group (created only when alertEmail is set).')
param actionGroupName string

@description('Email address to notify; empty for no action group.')
param alertEmail string = ''

@description('Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Name of the product\'s dead-letter queue.')
param deadLettersQueueName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Alert when more than this percentage of function executions fail in 15 minutes.')
@minValue(1)
@maxValue(100)
param functionFailurePercentThreshold int = 5

@description('Ignore the failure rate below this many executions in 15 minutes (too few to judge).')
@minValue(1)
param functionFailureMinimumExecutions int = 20

@description('Alert when more than this many deliveries are dead-lettered in 15 minutes.')
@minValue(0)
param deadLetteredDeliveriesThreshold int = 10

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'switchyard'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var metricAlertActions = empty(alertEmail) ? [] : [{ actionGroupId: actionGroup.id }]
var logAlertActionGroups = empty(alertEmail) ? [] : [actionGroup.id]

// Any message in "deadletters" is a delivery that gave up: someone should look, then redrive.
resource deadLettersWaiting 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-deadletters-waiting'
  location: 'global'
  tags: tags
  properties: {
    description: 'Deliveries are waiting in the "${deadLettersQueueName}" queue: inspect them with GET .../deadletters and redrive.'
    severity: 2
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ActiveMessagesInDeadLetters'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                deadLettersQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: metricAlertActions
  }
}

// Native dead-letter sub-queues only catch poison: messages whose processing failed
// unexpectedly MaxDeliveryCount times, or expired. One time series per entity.
resource nativeDeadLetters 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-native-deadletters'
  location: 'global'
  tags: tags
  properties: {
    description: 'Messages are in a native Service Bus dead-letter sub-queue (poison messages): the function failed on them repeatedly.'
    severity: 1
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessagesInAnyEntity'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: metricAlertActions
  }
}

// Messages arriving in "deadletters" per 15 minutes: the delivery dead-letter rate. A burst
// usually means a subscriber endpoint is down or rejecting requests.
resource deadLetterRate 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-deadletter-rate'
  location: 'global'
  tags: tags
  properties: {
    description: 'More than ${deadLetteredDeliveriesThreshold} deliveries were dead-lettered in 15 minutes.'
    severity: 2
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'IncomingMessagesInDeadLetters'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'IncomingMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                deadLettersQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: deadLetteredDeliveriesThreshold
          timeAggregation: 'Total'
        }
      ]
    }
    actions: metricAlertActions
  }
}

// Every function execution (HTTP or Service Bus triggered) is a request in Application Insights.
resource functionFailureRate 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: '${namePrefix}-function-failure-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Switchyard function failure rate'
    description: 'More than ${functionFailurePercentThreshold}% of function executions failed in 15 minutes.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsights.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          // The host records one request per execution; the app's own spans (role "switchyard")
          // are children of it and would count every execution twice.
          query: 'requests | where cloud_RoleName != \'switchyard\' | summarize executions = count(), failures = countif(success == false) | where executions >= ${functionFailureMinimumExecutions} | extend failurePercent = 100.0 * failures / executions'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'failurePercent'
          operator: 'GreaterThan'
          threshold: functionFailurePercentThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: logAlertActionGroups
    }
  }
}
