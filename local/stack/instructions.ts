import { eventKey } from '../../shared/events/eventKey';
import { SAMPLE_EVENT_TYPE, SAMPLE_TOPIC } from './seedSample';

export interface SampleEvent {
  specversion: '1.0';
  type: string;
  source: string;
  id: string;
  subject: string;
  datacontenttype: 'application/json';
  data: { orderId: string; total: number };
}

/** An order.created CloudEvent; a fresh id per run, since publishing the same source+id is idempotent. */
export function sampleEvent(orderId: string): SampleEvent {
  return {
    specversion: '1.0',
    type: SAMPLE_EVENT_TYPE,
    source: '/switchyard/sample-shop',
    id: `order-${orderId}`,
    subject: `/orders/${orderId}`,
    datacontenttype: 'application/json',
    data: { orderId, total: 42.5 },
  };
}

export interface PublishRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  eventKey: string;
}

/** The request the printed curl command makes (tests send exactly this with fetch). Pure. */
export function samplePublishRequest(
  apiUrl: string,
  functionKey: string,
  event: SampleEvent,
): PublishRequest {
  return {
    url: `${apiUrl}/topics/${SAMPLE_TOPIC}/events`,
    headers: { 'content-type': 'application/cloudevents+json', 'x-functions-key': functionKey },
    body: JSON.stringify(event),
    eventKey: eventKey(SAMPLE_TOPIC, event.source, event.id),
  };
}

/** Single-quotes for a POSIX shell. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(request: PublishRequest): string {
  const headers = Object.entries(request.headers).map(
    ([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`,
  );
  return [`curl -i -X POST ${shellQuote(request.url)}`, ...headers, `-d ${shellQuote(request.body)}`].join(
    ' \\\n    ',
  );
}

export function statusCommand(apiUrl: string, functionKey: string, key: string): string {
  return `curl -s ${shellQuote(`${apiUrl}/events/${key}`)} -H ${shellQuote(`x-functions-key: ${functionKey}`)}`;
}

/**
 * The same question through the switchyard CLI: bare when the CLI's default (the local stack as
 * local.settings.json describes it) is this stack, else with the URL and key it needs. Pure.
 */
export function switchyardCommand(
  apiUrl: string,
  functionKey: string,
  key: string,
  cliDefault: { url: string; adminKey: string },
): string {
  const appUrl = apiUrl.replace(/\/api$/, '');
  const target =
    appUrl === cliDefault.url && functionKey === cliDefault.adminKey
      ? ''
      : `SWITCHYARD_URL=${shellQuote(appUrl)} SWITCHYARD_API_KEY=${shellQuote(functionKey)} `;
  return `${target}npx switchyard events show ${key}`;
}

export interface Summary {
  apiUrl: string;
  healthUrl: string;
  receiverUrl?: string;
  cosmosEndpoint: string;
  serviceBusConnectionString: string;
  blobEndpoint?: string;
  functionKey: string;
  issuerUrl?: string;
  publish?: PublishRequest;
  /** What the switchyard CLI targets when nothing else is configured (localTarget.ts). */
  cliDefault: { url: string; adminKey: string };
  /** Why the sample subscription is missing, when the app refused it. */
  sampleNotCreated?: string;
  startupMs: number;
}

/** What npm start prints once everything is up. Pure. */
export function formatSummary(summary: Summary): string {
  const lines = [
    '',
    `Switchyard is running (started in ${(summary.startupMs / 1000).toFixed(1)} s).`,
    `  API                      ${summary.apiUrl}   (bootstrap admin key: ${summary.functionKey})`,
    `  Health                   ${summary.healthUrl}`,
    ...(summary.receiverUrl ? [`  Sample webhook receiver  ${summary.receiverUrl}`] : []),
    `  Cosmos DB                ${summary.cosmosEndpoint}`,
    ...(summary.blobEndpoint ? [`  Blob storage (Azurite)   ${summary.blobEndpoint}`] : []),
    `  Service Bus              ${summary.serviceBusConnectionString}`,
    ...(summary.issuerUrl
      ? [
          `  Token issuer             ${summary.issuerUrl}   (npm run token -- --roles Switchyard.Publish --topics orders)`,
        ]
      : []),
  ];
  if (summary.publish) {
    lines.push(
      '',
      `Publish an ${SAMPLE_EVENT_TYPE} event to topic "${SAMPLE_TOPIC}" (change the id to publish another: the same source+id is accepted once):`,
      '',
      `  ${curlCommand(summary.publish)}`,
      '',
      'Then see what happened to it (for another event, take the eventKey from its 202 answer):',
      '',
      `  ${statusCommand(summary.apiUrl, summary.functionKey, summary.publish.eventKey)}`,
      '',
      'or with the switchyard CLI (npx switchyard --help):',
      '',
      `  ${switchyardCommand(summary.apiUrl, summary.functionKey, summary.publish.eventKey, summary.cliDefault)}`,
    );
  }
  if (summary.sampleNotCreated) lines.push('', `No sample subscription: ${summary.sampleNotCreated}`);
  lines.push('', 'Ctrl-C stops everything.', '');
  return lines.join('\n');
}
