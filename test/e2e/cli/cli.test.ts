import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getFreePort, waitFor } from '../../support/wait';
import { FUNCTION_KEY, startPipeline, type Pipeline } from '../pipeline/harness';
import { cliEnvironment, REPO_ROOT, runCli, startCli, type CliResult } from './runCli';

/**
 * The switchyard CLI (cli/), each command run as a child process against the dev host: what it
 * prints and the exit code a script sees (0 done, 1 refused, 2 usage, 3 unreachable).
 */
describe('the switchyard CLI against the dev host', () => {
  let pipeline: Pipeline;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], input?: string) => runCli(args, env, input);
  const ok = async (args: string[], input?: string): Promise<CliResult> => {
    const result = await cli(args, input);
    if (result.code !== 0) {
      throw new Error(`switchyard ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    }
    return result;
  };
  const json = async <T>(args: string[]): Promise<T> =>
    JSON.parse((await ok(['--json', ...args])).stdout) as T;
  const file = (name: string, text: string) => {
    const path = join(home, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(async () => {
    pipeline = await startPipeline();
    home = mkdtempSync(join(tmpdir(), 'switchyard-cli-home-'));
    env = cliEnvironment({ SWITCHYARD_URL: pipeline.host.url, SWITCHYARD_API_KEY: FUNCTION_KEY }, home);
  }, 300_000);

  afterAll(async () => {
    await pipeline?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('answers --help for every command with exit code 0, and a bad command line with 2', async () => {
    const commands = [
      [],
      ['publish'],
      ['events'],
      ['events', 'show'],
      ['subscriptions'],
      ['subscriptions', 'list'],
      ['subscriptions', 'show'],
      ['subscriptions', 'put'],
      ['subscriptions', 'delete'],
      ['deliveries'],
      ['deadletters'],
      ['deadletters', 'list'],
      ['deadletters', 'redrive'],
      ['ingress-deadletters'],
      ['ingress-deadletters', 'list'],
      ['ingress-deadletters', 'redrive'],
      ['tail'],
    ];
    // A few at a time: the machine is shared, and each run starts a Node.js process.
    const results: CliResult[] = [];
    for (let start = 0; start < commands.length; start += 3) {
      results.push(
        ...(await Promise.all(
          commands.slice(start, start + 3).map((command) => cli([...command, '--help'])),
        )),
      );
    }
    results.forEach((result, index) => {
      const command = commands[index]!;
      expect({ command, code: result.code }).toEqual({ command, code: 0 });
      expect(result.stdout).toContain(`Usage: switchyard ${command.join(' ')}`.trimEnd());
      expect(result.stdout).toContain('--json');
    });

    const usage = await Promise.all([
      cli(['deliveries', 'orders']),
      cli(['publish', 'orders', '--type', 't', '--source', '/s', '--data', 'not json']),
      cli(['deliveries', 'orders', 'billing', '--status', 'lost']),
      cli(['no-such-command']),
    ]);
    for (const result of usage)
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 2, stdout: '' });
    expect(usage[1].stderr).toContain('--data must be JSON');
  }, 300_000);

  it('subscriptions put creates from YAML (the secret shown once), replaces, refuses --create-only; list and show', async () => {
    const yaml = file(
      'billing.yaml',
      [
        'destination:',
        '  endpointType: WebHook',
        `  endpointUrl: ${pipeline.receiver.url('/hooks/billing')}`,
        '  headers:',
        '    x-team: billing',
        'filter:',
        '  includedEventTypes: [order.created]',
      ].join('\n'),
    );
    const created = await ok(['subscriptions', 'put', 'cli-subs', 'billing', '--file', yaml]);
    expect(created.stdout).toContain('created subscription billing on topic cli-subs');
    expect(created.stdout).toMatch(/^Signing secret {2}whsec_\S+ {3}\(shown only now: keep it\)$/m);

    const replaced = await ok(['subscriptions', 'put', 'cli-subs', 'billing', '--file', yaml]);
    expect(replaced.stdout).toContain('replaced subscription billing on topic cli-subs');
    expect(replaced.stdout).not.toContain('whsec_');

    const refused = await cli([
      'subscriptions',
      'put',
      'cli-subs',
      'billing',
      '--file',
      yaml,
      '--create-only',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^switchyard: 412 /);

    const invalid = await cli(
      ['subscriptions', 'put', 'cli-subs', 'broken', '--file', '-'],
      '{"destination": {}}',
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('400');
    expect(invalid.stderr).toContain('destination');

    const list = await ok(['subscriptions', 'list', 'cli-subs']);
    const [header, row, ...rest] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME +STATUS +DESTINATION +FILTER +UPDATED$/);
    expect(row).toMatch(
      new RegExp(
        `^billing +active +WebHook ${pipeline.receiver.url('/hooks/billing')} +types order.created +\\S+Z$`,
      ),
    );
    expect(rest).toEqual([]);
    const listed = await json<{ items: Array<{ name: string }> }>(['subscriptions', 'list', 'cli-subs']);
    expect(listed.items.map((item) => item.name)).toEqual(['billing']);

    const shown = await ok(['subscriptions', 'show', 'cli-subs', 'billing']);
    expect(shown.stdout).toMatch(/^# etag: \S+$/m);
    expect(shown.stdout).toContain(`endpointUrl: ${pipeline.receiver.url('/hooks/billing')}`);
    expect(shown.stdout).toContain('x-team: null');

    // What show prints can be put back as it is (header values kept).
    const again = await ok(['subscriptions', 'put', 'cli-subs', 'billing', '--file', '-'], shown.stdout);
    expect(again.stdout).toContain('replaced subscription billing');

    const deleted = await ok(['subscriptions', 'delete', 'cli-subs', 'billing']);
    expect(deleted.stdout.trim()).toBe('deleted subscription billing on topic cli-subs');
    const gone = await cli(['subscriptions', 'show', 'cli-subs', 'billing']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^switchyard: 404 /);
  }, 300_000);

  it('publishes from flags, a batch file and standard input, printing the event keys', async () => {
    const fromFlags = await json<{ accepted: Array<{ eventKey: string; id: string; source: string }> }>([
      'publish',
      'cli-publish',
      '--type',
      'order.created',
      '--source',
      '/shop',
      '--subject',
      '/orders/1',
      '--id',
      'flags-1',
      '--data',
      '{"total":120}',
    ]);
    expect(fromFlags.accepted).toEqual([
      { id: 'flags-1', source: '/shop', eventKey: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) },
    ]);

    const batch = file(
      'batch.json',
      JSON.stringify(
        [1, 2, 3].map((n) => ({
          specversion: '1.0',
          id: `batch-${n}`,
          source: '/shop',
          type: 'order.created',
        })),
      ),
    );
    const batchResult = await ok(['publish', 'cli-publish', '--file', batch]);
    const lines = batchResult.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EVENT KEY +ID +SOURCE$/);
    expect(lines.slice(1).map((line) => line.split(/ +/).slice(1))).toEqual([
      ['batch-1', '/shop'],
      ['batch-2', '/shop'],
      ['batch-3', '/shop'],
    ]);

    const piped = await ok(
      ['publish', 'cli-publish'],
      JSON.stringify({ specversion: '1.0', id: 'stdin-1', source: '/shop', type: 'order.created' }),
    );
    expect(piped.stdout).toMatch(/^[A-Za-z0-9_-]{32} +stdin-1 +\/shop$/m);

    const refused = await cli(['publish', 'cli-publish', '--file', '-'], JSON.stringify({ id: 'x' }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('400');
  }, 300_000);

  it("events show: a failing delivery's timeline with its HTTP status and error, and why it was dead-lettered; deliveries, deadletters list and redrive", async () => {
    await pipeline.createWebhookSubscription('cli-events', 'fails', '/hooks/fails');
    await pipeline.createWebhookSubscription('cli-events', 'works', '/hooks/works');
    pipeline.receiver.respond('/hooks/fails', [{ status: 400, body: 'total must be positive' }]);
    const eventKey = await pipeline.publish('cli-events', {
      id: 'timeline-1',
      source: '/shop',
      type: 'order.created',
      subject: '/orders/7',
      data: { total: -1 },
    });
    await waitFor('both deliveries to finish', async () => {
      const status = await pipeline.eventStatus(eventKey);
      const states = status.deliveries?.map((delivery) => delivery.status).sort();
      return states?.join() === 'deadLettered,succeeded';
    });

    const shown = await ok(['events', 'show', eventKey]);
    const out = shown.stdout;
    expect(out).toContain(`Event key  ${eventKey}`);
    expect(out).toMatch(/^Topic +cli-events$/m);
    expect(out).toMatch(/^Subject +\/orders\/7$/m);
    expect(out).toMatch(/^Data +\{"total":-1\}$/m);
    expect(out).toMatch(/^Matched +(fails, works|works, fails)$/m);
    expect(out).toMatch(/^fails {2}deadLettered {2}\(1 attempt\)$/m);
    expect(out).toMatch(/^ {2}TIME +ATTEMPT +OUTCOME +HTTP +DURATION +ERROR$/m);
    expect(out).toMatch(/^ {2}\d{4}-\d\d-\d\dT\S+Z +1 +permanentFailure +400 +\d+ ms +HTTP 400\b.*$/m);
    expect(out).toMatch(/^ {2}dead-lettered at \S+Z: \S+: .*400/m);
    expect(out).toMatch(/^works {2}succeeded {2}\(1 attempt\)$/m);
    expect(out).toMatch(/^ {2}\S+Z +1 +succeeded +200 +\d+ ms$/m);

    const asJson = await json<{ eventKey: string; deliveries: unknown[] }>(['events', 'show', eventKey]);
    expect(asJson).toMatchObject({ eventKey, deliveries: expect.any(Array) });
    expect(asJson.deliveries).toHaveLength(2);

    const deliveries = await ok(['deliveries', 'cli-events', 'fails', '--status', 'deadLettered']);
    expect(deliveries.stdout).toMatch(/^EVENT KEY +STATUS +ATTEMPTS +LAST ATTEMPT +OUTCOME +HTTP +ERROR$/m);
    expect(deliveries.stdout).toMatch(
      new RegExp(`^${eventKey} +deadLettered +1 +\\S+Z +permanentFailure +400 +.*400`, 'm'),
    );
    const none = await json<{ items: unknown[] }>([
      'deliveries',
      'cli-events',
      'works',
      '--status',
      'retrying',
    ]);
    expect(none.items).toEqual([]);

    const deadLetters = await ok(['deadletters', 'list', 'cli-events', 'fails']);
    expect(deadLetters.stdout).toMatch(/^EVENT KEY +DEAD-LETTERED AT +REASON +ATTEMPTS +DESCRIPTION$/m);
    expect(deadLetters.stdout).toMatch(new RegExp(`^${eventKey} +\\S+Z +\\S+ +1 +.*400`, 'm'));

    const redriven = await ok(['deadletters', 'redrive', 'cli-events', 'fails']);
    expect(redriven.stdout.split('\n')[0]).toBe('redriven 1 dead letter');
    // The receiver's script has run out: the fresh attempt gets a 200.
    await waitFor('the redriven delivery to succeed', async () => {
      const status = await pipeline.eventStatus(eventKey);
      return status.deliveries?.find((delivery) => delivery.subscription === 'fails')?.status === 'succeeded';
    });
    const after = await ok(['events', 'show', eventKey]);
    expect(after.stdout).toMatch(/^fails {2}succeeded {2}\(2 attempts\)$/m);
    expect(after.stdout).toMatch(/^ {2}\S+Z +2 +succeeded +200 +\d+ ms$/m);
  }, 300_000);

  it('ingress-deadletters lists a message refused at ingress with its reason, and keeps it on redrive', async () => {
    const sender = pipeline.serviceBusClient.createSender('ingress');
    try {
      await sender.sendMessages({
        body: 'this is not a CloudEvent',
        contentType: 'application/cloudevents+json',
        messageId: 'cli-refused-1',
        applicationProperties: { topic: 'cli-ingress' },
      });
    } finally {
      await sender.close();
    }
    await waitFor('the refusal', async () => {
      const page = await pipeline.api('GET', '/ingress/deadletters?maxItems=1000');
      return (page.json.items as Array<{ messageId?: string }>).some(
        (item) => item.messageId === 'cli-refused-1',
      );
    });
    const listed = await ok(['ingress-deadletters', 'list', '--max-items', '1000']);
    expect(listed.stdout).toMatch(/^SEQUENCE +DEAD-LETTERED AT +TOPIC +MESSAGE ID +REASON +DESCRIPTION$/m);
    expect(listed.stdout).toMatch(/^\d+ +\S+Z +cli-ingress +cli-refused-1 +InvalidEvent +\S.*$/m);

    const redrive = await ok(['ingress-deadletters', 'redrive']);
    expect(redrive.stdout.trim()).toMatch(/^redriven 0, kept [1-9]\d*$/);
  }, 300_000);

  it('tail prints a delivery within a second of the receiver getting it, and stops on Ctrl-C with 0', async () => {
    await pipeline.createWebhookSubscription('cli-tail', 'followed', '/hooks/followed');
    const tail = startCli(['tail', 'cli-tail', '--subscription', 'followed'], env);
    try {
      await waitFor(
        'tail to follow',
        () => tail.stderr().includes('following deliveries of topic cli-tail'),
        {
          timeoutMs: 30_000,
        },
      );
      const eventKey = await pipeline.publish('cli-tail', {
        id: 'tail-1',
        source: '/shop',
        type: 'order.created',
      });
      const line = await waitFor('the delivery in tail', () =>
        tail.lines.find((entry) => entry.text.includes(eventKey)),
      );
      const received = pipeline.receiver.received('/hooks/followed');
      expect(received).toHaveLength(1);
      expect(line.text).toMatch(
        new RegExp(`^\\S+Z {2}followed {2}${eventKey} {2}attempt 1 {2}succeeded {2}HTTP 200 {2}\\d+ ms$`),
      );
      // From the receiver answering to the line reaching this process: both times taken here.
      const lag = line.at - received[0]!.at;
      console.log(`tail printed the delivery ${lag} ms after the receiver got it`);
      expect(lag).toBeLessThan(1000);
      expect(tail.lines.map((entry) => entry.text).filter((text) => text !== '')).toHaveLength(1);
    } finally {
      expect(await tail.interrupt()).toBe(0);
    }
  }, 300_000);

  it('exits 1 when the API refuses (bad credential, unknown event) and 3 when it cannot be reached', async () => {
    const badKey = await runCli(
      ['events', 'show', '0'.repeat(32)],
      cliEnvironment({ SWITCHYARD_URL: pipeline.host.url, SWITCHYARD_API_KEY: 'wrong-key' }, home),
    );
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^switchyard: 401 /);

    const unknown = await cli(['events', 'show', '0'.repeat(32)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^switchyard: 404 .*no event/);
    const unknownJson = await cli(['--json', 'events', 'show', '0'.repeat(32)]);
    expect(unknownJson.code).toBe(1);
    expect(JSON.parse(unknownJson.stderr)).toMatchObject({ problem: { status: 404 } });

    const closedPort = await getFreePort();
    const unreachable = await runCli(
      ['events', 'show', '0'.repeat(32)],
      cliEnvironment(
        { SWITCHYARD_URL: `http://127.0.0.1:${closedPort}`, SWITCHYARD_API_KEY: FUNCTION_KEY },
        home,
      ),
    );
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain(`cannot reach Switchyard at http://127.0.0.1:${closedPort}`);
  }, 300_000);

  it("targets the local stack's settings by default, and a profile of the config file with --profile", async () => {
    const eventKey = await pipeline.publish('cli-targets', {
      id: 'target-1',
      source: '/shop',
      type: 'order.created',
    });
    const port = String(new URL(pipeline.host.url).port);
    const localDefault = await runCli(
      ['events', 'show', eventKey],
      cliEnvironment({ SWITCHYARD_DEVHOST_PORT: port, SWITCHYARD_ADMIN_KEY: FUNCTION_KEY }, home),
    );
    expect(localDefault.stderr).toBe('');
    expect(localDefault.stdout).toContain(`Event key  ${eventKey}`);
    expect(localDefault.code).toBe(0);

    const configDir = join(home, '.config', 'switchyard');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, 'config.yaml'),
      [
        'profiles:',
        '  e2e:',
        `    url: ${pipeline.host.url}/api`,
        `    apiKey: ${FUNCTION_KEY}`,
        '  wrong:',
        `    url: ${pipeline.host.url}`,
        '    apiKey: not-the-key',
      ].join('\n'),
    );
    const profileEnv = cliEnvironment({}, home);
    const viaProfile = await runCli(['--profile', 'e2e', 'events', 'show', eventKey], profileEnv);
    expect(viaProfile.code).toBe(0);
    expect(viaProfile.stdout).toContain(`Event key  ${eventKey}`);
    const wrong = await runCli(['events', 'show', eventKey, '--profile', 'wrong'], profileEnv);
    expect(wrong.code).toBe(1);
    const missing = await runCli(['--profile', 'nope', 'events', 'show', eventKey], profileEnv);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no profile nope');
    rmSync(configDir, { recursive: true, force: true });
  }, 300_000);

  it('runs as npx switchyard from the clone (package.json bin)', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--offline', 'switchyard', '--help'], {
      cwd: REPO_ROOT,
      env: cliEnvironment({}, home),
      timeout: 60_000,
    });
    expect(stdout).toContain('Usage: switchyard [options] [command]');
  }, 90_000);
});
