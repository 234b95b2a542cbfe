import { type Pipeline, startPipeline } from './harness';

/** If-Match as HTTP clients send it: echoed, quoted, bare, in a list, weak, or `*`. */
describe('conditional subscription changes', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  const body = () => ({
    destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/conditional') },
  });
  const put = (name: string, ifMatch: string) =>
    pipeline.api('PUT', `/topics/conditional/subscriptions/${name}`, body(), { 'if-match': ifMatch });

  it('answers a quoted ETag and compares If-Match on it strongly, in every form', async () => {
    const created = await pipeline.api('PUT', '/topics/conditional/subscriptions/sub', body());
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[^"]+"$/);
    expect((await pipeline.api('GET', '/topics/conditional/subscriptions/sub')).headers.get('etag')).toBe(
      etag,
    );

    expect((await put('sub', `W/${etag}`)).status).toBe(412);
    const echoed = await put('sub', etag);
    expect(echoed.status).toBe(200);
    const second = echoed.headers.get('etag') ?? '';
    expect(second).toMatch(/^"[^"]+"$/);
    expect(second).not.toBe(etag);
    expect((await put('sub', etag)).status).toBe(412);

    const listed = await put('sub', `"not-it", ${second}`);
    expect(listed.status).toBe(200);
    const third = listed.headers.get('etag') ?? '';
    const bare = await put('sub', third.slice(1, -1));
    expect(bare.status).toBe(200);
    expect((await put('sub', '*')).status).toBe(200);
    expect((await put('absent', '*')).status).toBe(412);
  });

  it('deletes only with a matching If-Match', async () => {
    const created = await pipeline.api('PUT', '/topics/conditional/subscriptions/gone', body());
    const etag = created.headers.get('etag') ?? '';
    const headers = (ifMatch: string) => ({ 'if-match': ifMatch });
    const del = (ifMatch: string) =>
      pipeline.api('DELETE', '/topics/conditional/subscriptions/gone', undefined, headers(ifMatch));
    expect((await del('"stale"')).status).toBe(412);
    expect((await del(`W/${etag}`)).status).toBe(412);
    expect((await del(etag)).status).toBe(204);
    expect((await pipeline.api('GET', '/topics/conditional/subscriptions/gone')).status).toBe(404);

    await pipeline.api('PUT', '/topics/conditional/subscriptions/gone', body());
    expect((await del('*')).status).toBe(204);
    expect((await del('*')).status).toBe(404);
  });
});
