import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { getFreePort, waitFor } from '../../support/wait';
import { spawnDevHost, type SpawnedDevHost } from './spawnDevHost';

const APP_ROOT = resolve(__dirname, '../../fixtures/devhost-app');

interface TimerRun {
  at: string;
  isPastDue: boolean;
  scheduleStatus: { last: string; next: string; lastUpdated: string };
  schedule: { adjustForDST: boolean };
}

describe('dev host: hooks, timers and shutdown', () => {
  let host: SpawnedDevHost;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    host = await spawnDevHost({ appRoot: APP_ROOT });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('runs appStart once, swaps the handler in preInvocation, edits the result in postInvocation, and redacts logs in a log hook', async () => {
    const response = await fetch(`${host.url}/api/hook-probe`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-post-saw')).toBe('hookProbe');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ appStartRuns: 1, wrappedByPreInvocation: true });
    expect(body.preInvocationRuns).toBeGreaterThanOrEqual(1);
    await waitFor(
      'the redacted log line',
      () => host.logs().includes('[hookProbe]') && host.logs().includes('hookProbe logs a token [redacted]'),
    );
    expect(host.logs()).not.toContain('SECRET123');
  });

  it('shows postInvocation hooks the error of a failed invocation', async () => {
    expect((await fetch(`${host.url}/api/fails`)).status).toBe(500);
    await waitFor('the postInvocation log', () =>
      host.logs().includes('postInvocation saw error: Error: fixture failure on purpose'),
    );
  });

  it('runs the timer on startup and then on its six-field schedule, with the host timer shape', async () => {
    const runs = await waitFor('three timer runs', async () => {
      const list = (await (await fetch(`${host.url}/api/timer-runs`)).json()) as TimerRun[];
      return list.length >= 3 && list;
    });
    const [first, second, third] = runs as [TimerRun, TimerRun, TimerRun];
    // runOnStartup: the first run comes at start, before the schedule's first occurrence.
    expect(Date.parse(first.at)).toBeGreaterThanOrEqual(startedAt);
    expect(Date.parse(first.at)).toBeLessThan(Date.parse(second.scheduleStatus.next));
    for (const run of [second, third]) {
      expect(run.isPastDue).toBe(false);
      expect(run.schedule).toEqual({ adjustForDST: true });
      expect(new Date(run.scheduleStatus.next).getUTCMilliseconds()).toBe(0);
      expect(Date.parse(run.scheduleStatus.next)).toBeGreaterThan(Date.parse(run.scheduleStatus.last));
      // `next` is the occurrence this run is for: it fired just after it.
      expect(Date.parse(run.at) - Date.parse(run.scheduleStatus.next)).toBeGreaterThanOrEqual(-50);
    }
    // Every second: the third run fires about one second after the second.
    const gap = Date.parse(third.at) - Date.parse(second.at);
    expect(gap).toBeGreaterThan(500);
    // ... and for the very next occurrence: none was skipped.
    expect(third.scheduleStatus.last).toBe(second.scheduleStatus.next);
    // A yearly schedule waits longer than one setTimeout can: it must not have fired.
    expect(await (await fetch(`${host.url}/api/yearly-runs`)).json()).toEqual({ runs: 0 });
  });

  it('answers the host admin routes: status, and manual runs of non-HTTP functions only with the key', async () => {
    const status = await fetch(`${host.url}/admin/host/status`);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      state: 'Running',
      functions: expect.arrayContaining(['tick', 'hookProbe']),
    });
    const key = { 'x-functions-key': 'fixture-key-from-file' };
    expect((await fetch(`${host.url}/admin/functions/tick`, { method: 'POST', body: '{}' })).status).toBe(
      401,
    );
    expect(
      (await fetch(`${host.url}/admin/functions/nope`, { method: 'POST', body: '{}', headers: key })).status,
    ).toBe(404);
    const httpFunction = await fetch(`${host.url}/admin/functions/hookProbe`, {
      method: 'POST',
      body: '{}',
      headers: key,
    });
    expect(httpFunction.status).toBe(400);
    expect(await httpFunction.json()).toMatchObject({
      detail: 'function "hookProbe" has an HTTP trigger: call its route instead',
    });
    const before = host.logs().split('programmatically called').length;
    expect(
      (
        await fetch(`${host.url}/admin/functions/tick`, {
          method: 'POST',
          body: '{"input":""}',
          headers: key,
        })
      ).status,
    ).toBe(202);
    await waitFor('the manual timer run', () => host.logs().split('programmatically called').length > before);
  });

  it('lets a running invocation finish on SIGTERM, then runs appTerminate hooks and exits 0', async () => {
    const slow = fetch(`${host.url}/api/slow?ms=1500`);
    await waitFor('the slow invocation to start', () => host.logs().includes("Executing 'Functions.slow'"));
    const exitCode = await host.stop();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('slept 1500 ms');
    expect(exitCode).toBe(0);
    const logs = host.logs();
    const finished = logs.indexOf("Executed 'Functions.slow' (Succeeded");
    const terminated = logs.indexOf('fixture appTerminate ran; app started at ');
    expect(finished).toBeGreaterThan(0);
    expect(terminated).toBeGreaterThan(finished);
    expect(logs).toContain('Dev host stopped.');
  });
});

describe('dev host: start-up errors', () => {
  it('refuses functions with unsupported triggers or bindings, naming each function and binding type', async () => {
    const error = await spawnDevHost({ appRoot: APP_ROOT, main: 'unsupported/*.ts' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('exited with code 1');
    expect(message).toContain('function "watchCosmos" uses a cosmosDBTrigger trigger');
    expect(message).toContain('function "writesToQueue" has a queue output binding');
  });

  it('says which port is taken when the port is in use', async () => {
    const port = await getFreePort();
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(port, '127.0.0.1', done));
    try {
      const error = await spawnDevHost({ appRoot: APP_ROOT, port }).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });
});
