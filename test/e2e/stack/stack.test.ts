import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isPortFree } from '../../../local/stack/checkPorts';
import { PORT_NAMES, type StackPorts } from '../../../local/stack/ports';
import { seedSampleSubscription } from '../../../local/stack/seedSample';
import { startStack, type RunningStack } from '../../../local/stack/stack';
import { apiFetch } from '../../support/apiClient';
import { waitFor } from '../../support/wait';
import { childPids, exampleSettings, freeStackPorts, isAlive } from './stackSupport';

async function allPortsFree(ports: StackPorts): Promise<boolean> {
  for (const name of PORT_NAMES) if (!(await isPortFree(ports[name]))) return false;
  return true;
}

describe('npm start: the local stack with the real app', () => {
  let stack: RunningStack | undefined;
  let ports: StackPorts;
  let dataDir: string;
  let childrenBefore: number[];
  const lines: string[] = [];

  beforeAll(async () => {
    ports = await freeStackPorts();
    dataDir = mkdtempSync(join(tmpdir(), 'switchyard-stack-'));
    childrenBefore = childPids();
    stack = await startStack({
      ports,
      settings: exampleSettings(),
      dataDir,
      log: (line) => lines.push(line),
    });
    console.log(`stack started in ${stack.startupMs} ms`);
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints one progress line with its time per part, and URLs plus a publish command', () => {
    for (const part of [
      'Service Bus emulator',
      'Cosmos DB server',
      'Azurite',
      'Sample webhook receiver',
      'Token issuer',
      'Dev host',
      'Sample subscription',
    ]) {
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\[stack\\] ${part} .* \\(\\d+ ms\\)$`)),
      );
    }
    const summary = stack!.summary;
    expect(summary).toContain(`http://127.0.0.1:${ports.devHost}/api/health`);
    expect(summary).toContain(`http://127.0.0.1:${ports.receiver}`);
    expect(summary).toContain(`Endpoint=sb://localhost:${ports.serviceBus};`);
    expect(summary).toContain(`curl -i -X POST 'http://127.0.0.1:${ports.devHost}/api/topics/orders/events'`);
    expect(summary).toContain(`'x-functions-key: local-dev-key'`);
    expect(summary).toContain(`/api/events/${stack!.samplePublish.eventKey}'`);
  });

  it('answers 200 on health and keeps the signing secret of the seeded subscription, readable by the owner only', async () => {
    const health = await apiFetch(stack!.healthUrl);
    expect(health.status).toBe(200);
    expect(stack!.seed).toMatchObject({ created: true, secret: expect.stringMatching(/^whsec_/) });
    expect(statSync(join(dataDir, 'sample-webhook-secret.json')).mode & 0o777).toBe(0o600);
  });

  it('seeding again replaces the subscription and reuses the saved secret, which only it knows', async () => {
    const again = {
      apiUrl: stack!.apiUrl,
      functionKey: stack!.functionKey,
      endpointUrl: `${stack!.receiverUrl}/webhooks/orders`,
    };
    const reseeded = await seedSampleSubscription({
      ...again,
      secretFile: join(dataDir, 'sample-webhook-secret.json'),
    });
    expect(reseeded).toEqual({
      subscriptionUrl: stack!.seed!.subscriptionUrl,
      created: false,
      secret: stack!.seed!.secret,
    });
    const elsewhere = await seedSampleSubscription({
      ...again,
      secretFile: join(dataDir, 'no-such-file.json'),
    });
    expect(elsewhere).toEqual({ subscriptionUrl: stack!.seed!.subscriptionUrl, created: false });
  });

  it('delivers the printed sample event to the receiver, signed, and shows it as succeeded', async () => {
    const { url, headers, body, eventKey } = stack!.samplePublish;
    const event = JSON.parse(body) as { id: string; type: string; subject: string };
    const published = await apiFetch(url, { method: 'POST', headers, body });
    expect(published.status).toBe(202);
    expect(published.json).toEqual({
      accepted: [expect.objectContaining({ id: event.id, eventKey })],
    });

    const delivery = await waitFor('the receiver to get the event', () =>
      stack!.receiver.deliveries().find((received) => received.id === event.id),
    );
    expect(delivery).toMatchObject({
      method: 'POST',
      path: '/webhooks/orders',
      type: 'order.created',
      subject: event.subject,
    });
    expect(delivery.webhookId).toBeTruthy();
    expect(delivery.signature).toEqual({ status: 'verified' });
    expect(lines).toContainEqual(
      expect.stringContaining(
        `[receiver] POST /webhooks/orders webhook-id=${delivery.webhookId} type=order.created`,
      ),
    );

    const status = await waitFor('the delivery to be recorded as succeeded', async () => {
      const response = await apiFetch(`${stack!.apiUrl}/events/${eventKey}`, {
        headers: { 'x-functions-key': stack!.functionKey },
      });
      const record = response.json as {
        deliveries?: Array<{ status: string; subscription: string }>;
      };
      return record.deliveries?.[0]?.status === 'succeeded' ? record : undefined;
    });
    expect(status.deliveries).toEqual([
      expect.objectContaining({ subscription: 'sample-webhook', status: 'succeeded' }),
    ]);

    // The printed switchyard line, run as printed (npx in the clone), shows the same delivery.
    const cliLine = stack!.summary
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.includes('npx switchyard events show'));
    expect(cliLine).toContain(`npx switchyard events show ${eventKey}`);
    const shown = await promisify(execFile)('sh', ['-c', cliLine!], {
      cwd: join(__dirname, '../../..'),
      timeout: 60_000,
    });
    expect(shown.stdout).toContain(`Event key  ${eventKey}`);
    expect(shown.stdout).toMatch(/^sample-webhook {2}succeeded {2}\(1 attempt\)$/m);
  }, 120_000);

  it('npm run token prints a token of the local issuer that the app accepts for its roles only', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'local/issuer/token.ts',
        '--roles',
        'Switchyard.Events.Read',
        '--topics',
        'orders',
        '--issuer',
        stack!.issuerUrl,
      ],
      { cwd: join(__dirname, '../../..') },
    );
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const headers = { authorization: `Bearer ${token}` };
    const { url, body, eventKey } = stack!.samplePublish;
    // Published with the admin key (idempotent if the test above already did), read with the token.
    const asAdmin = await apiFetch(url, { method: 'POST', headers: stack!.samplePublish.headers, body });
    expect(asAdmin.status).toBe(202);
    const status = await waitFor('the sample event to be readable with the token', async () => {
      const response = await apiFetch(`${stack!.apiUrl}/events/${eventKey}`, { headers });
      return response.status === 200 ? response : undefined;
    });
    expect(status.status).toBe(200);
    const publish = await apiFetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/cloudevents+json' },
      body,
    });
    expect(publish.status).toBe(403);
  });

  it('refuses a second stack on the same ports before starting anything, naming port and setting', async () => {
    const before = childPids();
    await expect(
      startStack({ ports, settings: exampleSettings(), dataDir, log: () => undefined }),
    ).rejects.toThrow(
      new RegExp(
        `port ${ports.serviceBus} \\(wanted by the Service Bus emulator \\(AMQP\\)\\) is in use: .*SWITCHYARD_SERVICEBUS_PORT`,
      ),
    );
    expect(childPids()).toEqual(before);
    expect((await apiFetch(stack!.healthUrl)).status).toBe(200);
  });

  it('stops everything in reverse order and leaves no process or port behind', async () => {
    const devHostPid = stack!.devHostPid!;
    expect(isAlive(devHostPid)).toBe(true);
    const running = stack!;
    stack = undefined;
    await running.stop();
    const stopped = lines
      .filter((line) => line.startsWith('[stack] stopped '))
      .map((line) => line.replace(/ \(\d+ ms\)$/, ''));
    expect(stopped).toEqual([
      '[stack] stopped dev host',
      '[stack] stopped sample webhook receiver',
      '[stack] stopped token issuer',
      '[stack] stopped Azurite',
      '[stack] stopped Cosmos DB server',
      '[stack] stopped Service Bus emulator',
    ]);
    expect(isAlive(devHostPid)).toBe(false);
    await waitFor(
      'no child processes left',
      () => childPids().filter((pid) => !childrenBefore.includes(pid)).length === 0,
      { timeoutMs: 5_000 },
    );
    expect(await allPortsFree(ports)).toBe(true);
  });
});

describe('npm start with an explicit empty SWITCHYARD_ALLOWED_PRIVATE_CIDRS (issue 12)', () => {
  it('allows no private range, as in Azure: says the sample subscription was refused and goes on', async () => {
    const ports = await freeStackPorts();
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-stack-'));
    const lines: string[] = [];
    const stack = await startStack({
      ports,
      settings: { ...exampleSettings(), SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '' },
      dataDir,
      log: (line) => lines.push(line),
    });
    try {
      expect(stack.seed).toBeUndefined();
      expect(lines.find((line) => line.includes('Sample subscription'))).toMatch(
        /not created: SWITCHYARD_ALLOWED_PRIVATE_CIDRS=\(empty\) does not allow the sample receiver/,
      );
      expect(stack.summary).toContain('No sample subscription');
      const refused = await apiFetch(`${stack.apiUrl}/topics/orders/subscriptions/loopback`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-functions-key': stack.functionKey },
        body: JSON.stringify({
          destination: { endpointType: 'WebHook', endpointUrl: `${stack.receiverUrl}/hook` },
        }),
      });
      expect(refused.status).toBe(400);
      // The stack runs on: publishing is accepted, with nothing to deliver to.
      const { url, headers, body } = stack.samplePublish;
      expect((await apiFetch(url, { method: 'POST', headers, body })).status).toBe(202);
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start: a part that dies', () => {
  async function startThenKill(
    pick: (stack: RunningStack, newChildren: number[]) => number,
  ): Promise<{ reported: string | undefined; lines: string[]; ports: StackPorts }> {
    const ports = await freeStackPorts();
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-stack-'));
    const lines: string[] = [];
    let reported: string | undefined;
    const before = childPids();
    const stack = await startStack({
      ports,
      settings: exampleSettings(),
      dataDir,
      seed: false,
      log: (line) => lines.push(line),
      onUnexpectedExit: (part) => (reported = part),
    });
    try {
      process.kill(
        pick(
          stack,
          childPids().filter((pid) => !before.includes(pid)),
        ),
        'SIGKILL',
      );
      await waitFor('the stack to notice and stop the rest', () => reported, { timeoutMs: 20_000 });
      return { reported, lines, ports };
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('the dev host: says so with its exit and stops the rest', async () => {
    const { reported, lines, ports } = await startThenKill((stack) => stack.devHostPid!);
    expect(reported).toBe('dev host');
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[stack\] dev host stopped unexpectedly: exited \(SIGKILL\)/),
    );
    expect(lines).toContainEqual('[stack] stopping the rest');
    expect(await allPortsFree(ports)).toBe(true);
  });

  it('Azurite: noticed when it stops answering, and the rest is stopped', async () => {
    const { reported, lines, ports } = await startThenKill((stack, children) => {
      const azurite = children.filter((pid) => pid !== stack.devHostPid);
      expect(azurite).toHaveLength(1);
      return azurite[0]!;
    });
    expect(reported).toBe('Azurite');
    expect(lines).toContainEqual(
      expect.stringMatching(/^\[stack\] Azurite stopped unexpectedly: .* stopped answering/),
    );
    expect(lines.filter((line) => line.startsWith('[stack] stopped '))[0]).toMatch(
      /^\[stack\] stopped dev host/,
    );
    expect(await allPortsFree(ports)).toBe(true);
  });
});
