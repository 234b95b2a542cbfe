import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, FAST_CLIENT_OPTIONS } from './support/emulator';

const CLI = join(__dirname, '..', '..', '..', 'local', 'servicebus-emulator', 'cli.ts');

function runCli(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stdout: () => stdout, stderr: () => stderr };
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
});

describe('npm run servicebus-emulator', () => {
  it('prints one ready line, serves the SDK and logs connections and links at info level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const configPath = join(dir, 'Config.json');
    writeFileSync(configPath, JSON.stringify(configWith({ jobs: {} })));
    const run = runCli(['--config', configPath, '--port', '0', '--http-port', '0']);
    children.push(run.child);
    const ready = await waitFor('the ready line', () => /Endpoint=\S+/.exec(run.stdout())?.[0], {
      timeoutMs: 20_000,
    });
    expect(run.stdout().trim().split('\n')).toHaveLength(1);
    const client = new ServiceBusClient(ready, FAST_CLIENT_OPTIONS);
    await client.createSender('jobs').sendMessages({ body: 'from the cli' });
    const [message] = await client
      .createReceiver('jobs', { receiveMode: 'receiveAndDelete' })
      .receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(message!.body).toBe('from the cli');
    await client.close();
    await waitFor('connection close logged', () => / closed$|disconnected$/m.test(run.stderr()));
    expect(run.stderr()).toMatch(/connection \S+ opened/);
    expect(run.stderr()).toMatch(/link opened: receiver \S+ to 'jobs'/);
    expect(run.stderr()).not.toContain('SAS_KEY_VALUE');
    run.child.kill('SIGTERM');
    await waitFor('exit', () => run.child.exitCode !== null);
  });

  it('exits non-zero with the bad field named for an invalid config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    const configPath = join(dir, 'Config.json');
    writeFileSync(configPath, JSON.stringify(configWith({ ok: {}, bad: { MaxDeliveryCount: 0 } })));
    const run = runCli(['--config', configPath, '--port', '0', '--http-port', '0']);
    children.push(run.child);
    await waitFor('exit', () => run.child.exitCode !== null, { timeoutMs: 20_000 });
    expect(run.child.exitCode).toBe(1);
    expect(run.stderr()).toContain('UserConfig.Namespaces[0].Queues[1].Properties.MaxDeliveryCount');
  });
});
