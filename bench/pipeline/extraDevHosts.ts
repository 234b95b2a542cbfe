import type { Writable } from 'node:stream';
import { SETTINGS } from '../../shared/config/names';
import { AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY } from '../../local/stack/azurite';
import { EMULATOR_ACCOUNT_KEY } from '../../local/stack/cosmos';
import { spawnDevHostProcess, waitForHealthy, type DevHostProcess } from '../../local/stack/devHostProcess';
import type { StackPorts } from '../../local/stack/ports';
import type { RunningStack } from '../../local/stack/stack';
import { getFreePort } from '../../local/stack/checkPorts';

/**
 * More dev hosts on the same Service Bus, Cosmos DB and Azurite, as Azure Functions scales an
 * app out to more instances: each is one Node.js process, so one dev host can use one core only.
 */
export async function startExtraDevHosts(options: {
  count: number;
  repoRoot: string;
  stack: RunningStack;
  ports: StackPorts;
  settings: Record<string, string>;
  logFile?: Writable;
}): Promise<DevHostProcess[]> {
  const { stack, ports } = options;
  const storage = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_ACCOUNT_KEY}`,
    `BlobEndpoint=http://127.0.0.1:${ports.azuriteBlob}/${AZURITE_ACCOUNT}`,
    `QueueEndpoint=http://127.0.0.1:${ports.azuriteQueue}/${AZURITE_ACCOUNT}`,
    `TableEndpoint=http://127.0.0.1:${ports.azuriteTable}/${AZURITE_ACCOUNT}`,
  ].join(';');
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) inherited[name] = value;
  const env = {
    ...inherited,
    ...options.settings,
    [SETTINGS.serviceBusConnection]: stack.serviceBusConnectionString,
    [SETTINGS.cosmosConnection]: `AccountEndpoint=${stack.cosmosEndpoint};AccountKey=${EMULATOR_ACCOUNT_KEY};`,
    [SETTINGS.payloadStorageConnection]: storage,
    AzureWebJobsStorage: storage,
    [SETTINGS.adminKey]: stack.functionKey,
    [SETTINGS.allowedPrivateCidrs]: '127.0.0.0/8',
  };
  const hosts: DevHostProcess[] = [];
  try {
    for (let i = 0; i < options.count; i++) {
      const host = spawnDevHostProcess({
        repoRoot: options.repoRoot,
        appRoot: options.repoRoot,
        main: 'functions/*.ts',
        port: await getFreePort(),
        env,
        ...(options.logFile ? { output: (chunk: string) => options.logFile?.write(chunk) } : {}),
      });
      hosts.push(host);
      await waitForHealthy(host, '/api/health', 60_000);
    }
    return hosts;
  } catch (error) {
    await Promise.allSettled(hosts.map((host) => host.stop()));
    throw error;
  }
}
