import { join } from 'node:path';
import type { StackPorts } from '../../local/stack/ports';
import { getFreePort } from '../../local/stack/checkPorts';
import { startReadyChild } from '../../local/stack/readyChild';
import type { StackReady } from './stackProcess';

export interface StackProcess extends StackReady {
  pid: number;
  stop(): Promise<void>;
}

async function freeStackPorts(): Promise<StackPorts> {
  const names: Array<keyof StackPorts> = [
    'serviceBus',
    'serviceBusHttp',
    'cosmos',
    'azuriteBlob',
    'azuriteQueue',
    'azuriteTable',
    'devHost',
    'receiver',
  ];
  const ports = {} as StackPorts;
  for (const name of names) ports[name] = await getFreePort();
  return ports;
}

/**
 * Starts bench/pipeline/stackProcess.ts on free ports and resolves once its dev host answers.
 * `settings` reach the dev host as app settings; `env` is the stack process's environment on top
 * of ours, which its children (Azurite, the dev host) inherit.
 */
export async function startStackProcess(
  settings: Record<string, string>,
  env: Record<string, string> = {},
  devHosts = 1,
): Promise<StackProcess> {
  // A port found free can be taken before the stack listens on it (an outgoing connection's
  // ephemeral port, say): then pick new ports and try again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnFreePorts(settings, env, devHosts);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE|already in use/.test(String(error))) throw error;
      process.stderr.write(`[bench] a port was taken while the stack started; trying again on new ports\n`);
    }
  }
}

async function startOnFreePorts(
  settings: Record<string, string>,
  env: Record<string, string>,
  devHosts: number,
): Promise<StackProcess> {
  const ports = await freeStackPorts();
  const stack = await startReadyChild<StackReady>(
    join(__dirname, 'stackProcess.ts'),
    [JSON.stringify(ports), JSON.stringify(settings), String(devHosts)],
    { label: 'the stack', env },
  );
  return { ...stack.ready, pid: stack.pid, stop: () => stack.stop() };
}
