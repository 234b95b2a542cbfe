import { Pool } from 'undici';
import { nowMs } from './receiver';

/** What data.pad is filled to, so that the whole structured event is about 1 KB. */
const PAD = 'x'.repeat(860);

export interface BenchEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  datacontenttype: 'application/json';
  data: { phase: string; n: number; sentAt: number; pad: string };
}

/** One ~1 KB CloudEvent that carries its phase and publish time for the receiver. */
export function benchEvent(phase: string, n: number, sentAt = nowMs()): BenchEvent {
  return {
    specversion: '1.0',
    id: `${phase}-${n}`,
    source: '/switchyard/bench',
    type: 'bench.event',
    subject: `/bench/${n}`,
    datacontenttype: 'application/json',
    data: { phase, n, sentAt, pad: PAD },
  };
}

export interface Publisher {
  /** POSTs one structured event; rejects unless the answer is 202. */
  publish(topic: string, event: BenchEvent): Promise<void>;
  /** POSTs one application/cloudevents-batch+json request; rejects unless 202. */
  publishBatch(topic: string, events: BenchEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Publishes through the HTTP API over pools of keep-alive connections, taking the dev hosts in
 * turn when there are several (as a load balancer in front of scaled-out instances would).
 */
export function createPublisher(
  apiUrls: readonly string[],
  functionKey: string,
  connections: number,
): Publisher {
  const targets = apiUrls.map((apiUrl) => {
    const url = new URL(apiUrl);
    return {
      pool: new Pool(url.origin, { connections, pipelining: 1 }),
      prefix: url.pathname.replace(/\/$/, ''),
    };
  });
  let turn = 0;

  async function post(topic: string, contentType: string, body: string): Promise<void> {
    const { pool, prefix } = targets[turn++ % targets.length]!;
    const response = await pool.request({
      method: 'POST',
      path: `${prefix}/topics/${topic}/events`,
      headers: { 'content-type': contentType, 'x-functions-key': functionKey },
      body,
    });
    const text = await response.body.text();
    if (response.statusCode !== 202)
      throw new Error(`publish answered ${response.statusCode}: ${text.slice(0, 300)}`);
  }

  return {
    publish: (topic, event) => post(topic, 'application/cloudevents+json', JSON.stringify(event)),
    publishBatch: (topic, events) =>
      post(topic, 'application/cloudevents-batch+json', JSON.stringify(events)),
    close: async () => {
      await Promise.all(targets.map(({ pool }) => pool.close()));
    },
  };
}
