import { signDelivery } from '../../../shared/delivery/signing';
import { generateSigningSecret } from '../../../shared/subscriptions/signingSecret';
import { startSampleReceiver, type RunningSampleReceiver } from '../../../local/sample-receiver/index';

const event = {
  specversion: '1.0',
  type: 'order.created',
  source: '/shop',
  id: 'order-1',
  subject: '/orders/1',
  data: { total: 3 },
};

describe('sample webhook receiver', () => {
  const secret = generateSigningSecret();
  const lines: string[] = [];
  let receiver: RunningSampleReceiver;

  beforeAll(async () => {
    receiver = await startSampleReceiver({ port: 0, log: (line) => lines.push(line) });
  });

  afterAll(async () => {
    await receiver?.close();
  });

  beforeEach(() => {
    lines.length = 0;
    receiver.setSecret(undefined);
  });

  async function post(
    body: string,
    headers: Record<string, string>,
    path = '/webhooks/orders',
  ): Promise<number> {
    const response = await fetch(receiver.url + path, { method: 'POST', headers, body });
    return response.status;
  }

  function signed(body: string, signingSecret = secret, webhookId = 'dlv_1'): Record<string, string> {
    return {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      ...signDelivery({ secrets: [signingSecret], webhookId, body }),
    };
  }

  it('answers 204, prints method, path, webhook-id and the CloudEvent type/subject/id, and verifies the signature', async () => {
    receiver.setSecret(secret);
    const body = JSON.stringify(event);
    expect(await post(body, signed(body))).toBe(204);
    expect(lines).toEqual([
      '[receiver] POST /webhooks/orders webhook-id=dlv_1 type=order.created subject=/orders/1 id=order-1 (signature verified)',
    ]);
    expect(receiver.deliveries().at(-1)).toMatchObject({
      webhookId: 'dlv_1',
      id: 'order-1',
      body,
      signature: { status: 'verified' },
    });
  });

  it('flags a signature made with another secret, or a body changed after signing', async () => {
    receiver.setSecret(secret);
    const body = JSON.stringify(event);
    expect(await post(body, signed(body, generateSigningSecret()))).toBe(204);
    expect(await post(body.replace('"total":3', '"total":4'), signed(body))).toBe(204);
    const checks = receiver
      .deliveries()
      .slice(-2)
      .map((delivery) => delivery.signature.status);
    expect(checks).toEqual(['invalid', 'invalid']);
    expect(lines.every((line) => line.includes('signature INVALID'))).toBe(true);
  });

  it('without the secret says once that it cannot verify', async () => {
    const body = JSON.stringify(event);
    await post(body, signed(body, secret, 'dlv_a'));
    await post(body, signed(body, secret, 'dlv_b'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('signature not checked: the signing secret is unknown');
    expect(lines[1]).not.toContain('signature');
  });

  it('reads binary-mode CloudEvents from ce-* headers', async () => {
    await post(
      '{"total":3}',
      {
        'content-type': 'application/json',
        'ce-id': 'b-1',
        'ce-type': 'order.shipped',
        'ce-subject': '/orders/2',
        'ce-source': '/shop',
        'ce-specversion': '1.0',
      },
      '/other',
    );
    expect(lines[0]).toMatch(
      /^\[receiver\] POST \/other webhook-id=- type=order.shipped subject=\/orders\/2 id=b-1/,
    );
  });
});
