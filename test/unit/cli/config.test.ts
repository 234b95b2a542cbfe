import {
  configFileCandidates,
  normalizeUrl,
  parseConfigFile,
  resolveTarget,
  type TargetInputs,
} from '../../../cli/config';
import { EXIT } from '../../../cli/exitCodes';

const local = { url: 'http://127.0.0.1:7071', adminKey: 'local-dev-key' };
const config = {
  path: '/home/me/.config/switchyard/config.yaml',
  file: {
    defaultProfile: 'staging',
    profiles: {
      prod: { url: 'https://prod.example.com/api/', tokenCommand: 'get-token' },
      staging: { url: 'https://staging.example.com', apiKey: 'sk_staging_x' },
      bare: { url: 'https://bare.example.com' },
    },
  },
};

function target(inputs: Partial<TargetInputs>) {
  return resolveTarget({ env: {}, local, ...inputs });
}

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toMatchObject({ exitCode: EXIT.usage });
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('resolveTarget', () => {
  it('defaults to the local stack and its bootstrap admin key', () => {
    expect(target({})).toEqual({
      url: 'http://127.0.0.1:7071',
      credential: { kind: 'apiKey', value: 'local-dev-key' },
      from: 'the local stack (npm start)',
    });
    expect(target({ env: { SWITCHYARD_TOKEN: 'eyJ' } }).credential).toEqual({ kind: 'token', value: 'eyJ' });
  });

  it('takes SWITCHYARD_URL with SWITCHYARD_API_KEY or SWITCHYARD_TOKEN, never both', () => {
    expect(
      target({ env: { SWITCHYARD_URL: 'https://app.example.com/api', SWITCHYARD_API_KEY: 'sk_a_b' } }),
    ).toEqual({
      url: 'https://app.example.com',
      credential: { kind: 'apiKey', value: 'sk_a_b' },
      from: 'SWITCHYARD_URL',
    });
    expect(target({ env: { SWITCHYARD_URL: 'https://app.example.com' } })).toEqual({
      url: 'https://app.example.com',
      from: 'SWITCHYARD_URL',
    });
    expect(
      usageError(() =>
        target({
          env: { SWITCHYARD_URL: 'https://a.example.com', SWITCHYARD_API_KEY: 'k', SWITCHYARD_TOKEN: 't' },
        }),
      ),
    ).toContain('not both');
  });

  it('prefers --profile, then SWITCHYARD_PROFILE, over SWITCHYARD_URL, which beats defaultProfile', () => {
    const env = { SWITCHYARD_URL: 'https://env.example.com', SWITCHYARD_API_KEY: 'sk_env' };
    expect(target({ config, env, profile: 'prod' })).toEqual({
      url: 'https://prod.example.com',
      credential: { kind: 'tokenCommand', command: 'get-token' },
      from: 'profile prod',
    });
    expect(target({ config, env: { ...env, SWITCHYARD_PROFILE: 'prod' } }).from).toBe('profile prod');
    expect(target({ config, env }).from).toBe('SWITCHYARD_URL');
    expect(target({ config })).toEqual({
      url: 'https://staging.example.com',
      credential: { kind: 'apiKey', value: 'sk_staging_x' },
      from: 'profile staging',
    });
  });

  it('gives a profile without a credential the one from the environment', () => {
    expect(target({ config, profile: 'bare', env: { SWITCHYARD_TOKEN: 'eyJ' } }).credential).toEqual({
      kind: 'token',
      value: 'eyJ',
    });
    expect(target({ config, profile: 'bare' }).credential).toBeUndefined();
  });

  it('names the profiles there are when the one asked for is missing', () => {
    expect(usageError(() => target({ config, profile: 'dev' }))).toBe(
      `no profile dev in ${config.path} (profiles: prod, staging, bare)`,
    );
    expect(usageError(() => target({ profile: 'dev' }))).toContain('no config file');
  });
});

describe('normalizeUrl', () => {
  it('keeps the origin and path without a trailing slash or /api', () => {
    expect(normalizeUrl('http://127.0.0.1:7071/api/', 'x')).toBe('http://127.0.0.1:7071');
    expect(normalizeUrl(' https://gw.example.com/switchyard ', 'x')).toBe(
      'https://gw.example.com/switchyard',
    );
  });

  it('refuses what is not an http(s) URL, naming where it came from', () => {
    expect(usageError(() => normalizeUrl('127.0.0.1:7071', 'SWITCHYARD_URL'))).toMatch(/^SWITCHYARD_URL: /);
    expect(usageError(() => normalizeUrl('file:///etc/passwd', 'x'))).toContain('http or https');
    expect(usageError(() => normalizeUrl('https://a.example.com/?k=v', 'x'))).toContain('query');
  });
});

describe('the config file', () => {
  it('is read as YAML or JSON', () => {
    const yaml = 'defaultProfile: a\nprofiles:\n  a:\n    url: https://a.example.com\n    apiKey: sk_a\n';
    const fromJson = JSON.stringify({
      defaultProfile: 'a',
      profiles: { a: { url: 'https://a.example.com', apiKey: 'sk_a' } },
    });
    expect(parseConfigFile(yaml, 'c.yaml')).toEqual(parseConfigFile(fromJson, 'c.json'));
  });

  it('refuses unknown members and more than one credential, naming the member', () => {
    expect(
      usageError(() => parseConfigFile('profiles:\n  a:\n    url: x\n    key: y\n', 'c.yaml')),
    ).toContain('profiles.a');
    expect(
      usageError(() =>
        parseConfigFile('profiles:\n  a:\n    url: x\n    apiKey: y\n    token: z\n', 'c.yaml'),
      ),
    ).toContain('at most one of apiKey, token, tokenCommand');
    expect(usageError(() => parseConfigFile('profiles: [', 'c.yaml'))).toContain('neither JSON nor YAML');
  });

  it('is looked for in SWITCHYARD_CONFIG, else XDG_CONFIG_HOME or ~/.config', () => {
    expect(configFileCandidates({ SWITCHYARD_CONFIG: '/etc/sy.yaml' }, '/home/me')).toEqual(['/etc/sy.yaml']);
    expect(configFileCandidates({}, '/home/me')).toEqual([
      '/home/me/.config/switchyard/config.json',
      '/home/me/.config/switchyard/config.yaml',
      '/home/me/.config/switchyard/config.yml',
    ]);
    expect(configFileCandidates({ XDG_CONFIG_HOME: '/xdg' }, '/home/me')[0]).toBe(
      '/xdg/switchyard/config.json',
    );
  });
});
