import { type Pipeline, startPipeline } from './harness';

describe('webhook targets on private addresses', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    // As in Azure: no private range allowed.
    pipeline = await startPipeline({ settings: { SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '' } });
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it.each([
    ['loopback', 'http://127.0.0.1:9/hook'],
    ['localhost', 'http://localhost:9/hook'],
    ['the metadata address', 'http://169.254.169.254/metadata'],
    ['a private range', 'http://10.1.2.3/hook'],
    ['IPv6 loopback', 'http://[::1]:9/hook'],
    // Issue 12: IPv6 forms that carry the metadata address or 127.0.0.1.
    ['local-use NAT64 of the metadata address', 'http://[64:ff9b:1::a9fe:a9fe]/'],
    ['6to4 of the metadata address', 'http://[2002:a9fe:a9fe::]/'],
    ['6to4 of 127.0.0.1', 'http://[2002:7f00:1::]:17072/'],
    ['documentation range', 'http://192.0.2.10/hook'],
  ])('refuses %s without the allow-list setting, naming the field', async (_what, endpointUrl) => {
    const response = await pipeline.api('PUT', '/topics/ssrf/subscriptions/private', {
      destination: { endpointType: 'WebHook', endpointUrl },
    });
    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([
      expect.objectContaining({
        field: 'destination.endpointUrl',
        message: expect.stringContaining('SWITCHYARD_ALLOWED_PRIVATE_CIDRS'),
      }),
    ]);
    expect(pipeline.receiver.received('/hook')).toHaveLength(0);
  });
});
