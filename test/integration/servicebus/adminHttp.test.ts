import { configWith, startHarness, type Harness } from './support/emulator';

/** What any HTTP client sees on the admin port without the SDK: auth is required, /health is not. */
let h: Harness;

beforeAll(async () => {
  h = await startHarness(configWith({ orders: {} }));
});
afterAll(() => h.close());

describe('admin HTTP port', () => {
  it('keeps /health anonymous and refuses management requests without a valid SAS signature', async () => {
    const base = `http://127.0.0.1:${h.emulator.httpPort}`;
    const health = await fetch(`${base}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'healthy' }]);
    const anonymous = await fetch(`${base}/orders?api-version=2021-05`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toMatch(/<Error><Code>401<\/Code><Detail>MissingToken/);
    const forged = await fetch(`${base}/orders?api-version=2021-05`, {
      headers: {
        authorization: `SharedAccessSignature sig=AAAA&se=${Math.floor(Date.now() / 1000) + 60}&skn=RootManageSharedAccessKey&sr=x`,
      },
    });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toContain('InvalidSignature');
  });
});
