import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PORT_NAMES, PORT_SPECS } from '../../../local/stack/ports';
import { apiFetch } from '../../support/apiClient';
import { waitFor } from '../../support/wait';
import { childPids, commandLine, freeStackPorts, isAlive } from './stackSupport';

const REPO_ROOT = resolve(__dirname, '../../..');

describe('npm start (the CLI)', () => {
  let child: ChildProcess | undefined;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the settings file, prints a ready summary, and stops everything on SIGINT with exit code 0', async () => {
    const ports = await freeStackPorts();
    const portArgs = PORT_NAMES.flatMap((name) => [PORT_SPECS[name].flag, String(ports[name])]);
    const settingsFile = join(dir, 'local.settings.json');
    const args = [
      '--import',
      'tsx',
      'local/stack/start.ts',
      '--settings',
      settingsFile,
      '--data-dir',
      dir,
      ...portArgs,
    ];
    child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child!.once('exit', (code) => done(code)));

    await waitFor(
      'the ready summary',
      () => output.includes('Switchyard is running') || child!.exitCode !== null,
      {
        timeoutMs: 90_000,
      },
    );
    expect(output).toContain(`[stack] created ${settingsFile} from local.settings.example.json`);
    expect(existsSync(settingsFile)).toBe(true);
    expect(output).toContain(`Health                   http://127.0.0.1:${ports.devHost}/api/health`);
    expect((await apiFetch(`http://127.0.0.1:${ports.devHost}/api/health`)).status).toBe(200);
    // Azurite and the dev host (tsx may also run an esbuild service: not ours to count).
    const helpers = childPids(child.pid).filter((pid) =>
      /azurite\.js|devhost\/cli\.ts/.test(commandLine(pid)),
    );
    expect(helpers).toHaveLength(2);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toMatch(
      /\[stack\] SIGINT: stopping[\s\S]*\[stack\] stopped dev host[\s\S]*\[stack\] stopped Service Bus emulator[\s\S]*\[stack\] stopped\n/,
    );
    expect(output).not.toContain('again: exiting now');
    for (const pid of helpers) expect(isAlive(pid)).toBe(false);
  });
});
