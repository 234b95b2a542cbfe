import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUEUES } from '../../../shared/config/names';
import { objectEntries, resourcesUnder, stringLiteral, valueAt } from './bicepText';

/**
 * Two more ways the infra can drift: from azd (which deploys to the app tagged with the service
 * name in azure.yaml) and from the local Service Bus emulator's entities, which must behave like
 * the Azure queues so that what passes locally holds in Azure.
 */

const repo = join(__dirname, '..', '..', '..');
const resources = resourcesUnder(join(repo, 'infra'));

describe('azd wiring', () => {
  const azureYaml = readFileSync(join(repo, 'azure.yaml'), 'utf8');

  it('deploys the root project as one TypeScript Functions service, tagged on the function app', () => {
    const service = /^services:\s*\n\s+([\w-]+):\s*\n((?:\s{4,}.*\n?)+)/m.exec(azureYaml);
    expect(service?.[1]).toBe('api');
    // The service's own keys (four spaces in); nested keys (the hooks) are checked below.
    const properties = Object.fromEntries(
      [...(service?.[2] ?? '').matchAll(/^ {4}(\w+):[ \t]*(\S*)/gm)].map((m) => [m[1], m[2]]),
    );
    // Local build of the package infra/package stages (docs/deploying.md#the-deployment-package).
    expect(properties).toEqual({
      project: '.',
      language: 'ts',
      host: 'function',
      remoteBuild: 'false',
      dist: '.package/app',
      hooks: '',
    });
    const hookRuns = [...(service?.[2] ?? '').matchAll(/^\s+run:\s*(.+)$/gm)].map((m) => m[1]?.trim());
    expect(hookRuns).toEqual(['npm run package -- --stage-only', 'npm run package -- --stage-only']);
    expect(azureYaml).toMatch(/^ {6}prepackage:\s*$/m);

    const [app] = resources.filter((r) => r.type === 'Microsoft.Web/sites');
    expect(app && valueAt(app.body, ['tags'])?.source).toMatch(/'azd-service-name':\s*'api'/);
  });
});

describe('Azure queues behave like the local emulator entities (local/stack/servicebus-config.json)', () => {
  interface EmulatorQueue {
    Name: string;
    Properties: Record<string, string | number | boolean>;
  }
  const config = JSON.parse(readFileSync(join(repo, 'local', 'stack', 'servicebus-config.json'), 'utf8')) as {
    UserConfig: { Namespaces: Array<{ Queues: EmulatorQueue[] }> };
  };
  const emulatorQueues = config.UserConfig.Namespaces.flatMap((ns) => ns.Queues);
  const azureQueues = resources.filter(
    (r) => r.type === 'Microsoft.ServiceBus/namespaces/queues' && !r.existing,
  );

  /** The properties that change what the code sees, as the Bicep spells them. */
  const compared = [
    ['LockDuration', 'lockDuration'],
    ['MaxDeliveryCount', 'maxDeliveryCount'],
    ['DefaultMessageTimeToLive', 'defaultMessageTimeToLive'],
    ['RequiresDuplicateDetection', 'requiresDuplicateDetection'],
    ['DuplicateDetectionHistoryTimeWindow', 'duplicateDetectionHistoryTimeWindow'],
    ['RequiresSession', 'requiresSession'],
  ] as const;

  it.each(Object.values(QUEUES))('queue %s', (queueName) => {
    const local = emulatorQueues.find((queue) => queue.Name === queueName);
    const azure = azureQueues.find((queue) => stringLiteral(valueAt(queue.body, ['name'])) === queueName);
    expect(local).toBeDefined();
    expect(azure).toBeDefined();
    const properties = azure ? objectEntries(valueAt(azure.body, ['properties']) ?? azure.body) : new Map();
    const azureValue = (key: string): string | undefined => {
      const value = properties.get(key);
      return value ? (stringLiteral(value) ?? value.source) : undefined;
    };
    for (const [emulatorKey, bicepKey] of compared) {
      const localValue = local?.Properties[emulatorKey];
      // Duplicate detection's window means nothing when detection is off, and may be left out.
      if (emulatorKey === 'DuplicateDetectionHistoryTimeWindow' && localValue === undefined) continue;
      expect({ property: bicepKey, azure: azureValue(bicepKey) }).toEqual({
        property: bicepKey,
        azure: localValue === undefined ? undefined : String(localValue),
      });
    }
  });
});
