import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSettingValues, type SettingValues } from '../../../local/stack/localSettings';
import { PORT_NAMES, type StackPorts } from '../../../local/stack/ports';
import { getFreePort } from '../../support/wait';

const REPO_ROOT = resolve(__dirname, '../../..');

/** Eight different free ports: the OS may hand a just-released port out twice. */
export async function freeStackPorts(): Promise<StackPorts> {
  const taken: number[] = [];
  const ports = {} as StackPorts;
  for (const name of PORT_NAMES) {
    let port = await getFreePort();
    while (taken.includes(port)) port = await getFreePort();
    taken.push(port);
    ports[name] = port;
  }
  return ports;
}

/** The example settings, not a developer's local.settings.json, so the test is the same everywhere. */
export function exampleSettings(): SettingValues {
  return readSettingValues(join(REPO_ROOT, 'local.settings.example.json'));
}

/** Pids of a process's children (Linux /proc), to show the stack leaves none behind. */
export function childPids(parent = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name in parentheses, which may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command line of a process (Linux /proc), '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
