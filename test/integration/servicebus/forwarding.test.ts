import { ConfigError, start, type EmulatorConfig } from '../../../local/servicebus-emulator';
import { getFreePort, waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';
import { drain } from '../../support/drain';

let h: Harness;

const chain = ['hop0', 'hop1', 'hop2', 'hop3', 'hop4', 'hop5'];

beforeAll(async () => {
  h = await startHarness(
    configWith(
      {
        inbox: { ForwardTo: 'outbox' },
        outbox: {},
        collected: {},
        work: { MaxDeliveryCount: 1, LockDuration: 'PT5S', ForwardDeadLetteredMessagesTo: 'parking' },
        parking: {},
        feeder: { ForwardTo: 'tiny' },
        tiny: { MaxSizeInMegabytes: 1 },
        toSessions: { ForwardTo: 'sessions' },
        sessions: { RequiresSession: true },
        ...Object.fromEntries(
          chain.map((name, i) => [name, i + 1 < chain.length ? { ForwardTo: chain[i + 1] } : {}]),
        ),
      },
      [
        {
          Name: 'fan',
          Subscriptions: [{ Name: 'copy', Properties: { ForwardTo: 'collected' } }, { Name: 'kept' }],
        },
      ],
    ),
  );
});
afterAll(() => h.close());

const receiveAll = (queue: string, expected: number, subQueueType?: 'deadLetter' | 'transferDeadLetter') =>
  drain(
    h.client.createReceiver(queue, {
      receiveMode: 'receiveAndDelete',
      ...(subQueueType ? { subQueueType } : {}),
    }),
    expected,
    { close: true },
  );

describe('ForwardTo', () => {
  it('moves every message a queue accepts to its target, keeping the message as sent', async () => {
    await h.client.createSender('inbox').sendMessages([
      { body: 1, messageId: 'f-1', subject: 's', applicationProperties: { k: 'v' } },
      { body: 2, messageId: 'f-2' },
    ]);
    const got = await receiveAll('outbox', 2);
    expect(got.map((m) => [m.body, m.messageId])).toEqual([
      [1, 'f-1'],
      [2, 'f-2'],
    ]);
    expect(got[0]).toMatchObject({ subject: 's', applicationProperties: { k: 'v' } });
    expect(await h.client.createReceiver('inbox').peekMessages(10)).toEqual([]);
  });

  it('forwards a scheduled message at once; the target enqueues it at its time', async () => {
    const at = new Date(Date.now() + 800);
    await h.client.createSender('inbox').scheduleMessages({ body: 'later' }, at);
    expect(await h.client.createReceiver('outbox').peekMessages(1)).toMatchObject([
      { body: 'later', state: 'scheduled' },
    ]);
    expect((await receiveAll('outbox', 1)).map((m) => m.body)).toEqual(['later']);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
  });

  it('forwards a subscription copy to a queue while other subscriptions keep theirs', async () => {
    await h.client.createSender('fan').sendMessages({ body: 'fanned' });
    expect((await receiveAll('collected', 1)).map((m) => m.body)).toEqual(['fanned']);
    expect(
      (
        await drain(h.client.createReceiver('fan', 'kept', { receiveMode: 'receiveAndDelete' }), 1, {
          close: true,
        })
      ).map((m) => m.body),
    ).toEqual(['fanned']);
    expect(await h.client.createReceiver('fan', 'copy').peekMessages(10)).toEqual([]);
  });

  it('follows a chain of four hops and dead-letters the fifth into the transfer dead-letter queue', async () => {
    await h.client.createSender('hop0').sendMessages({ body: 'far', messageId: 'far-1' });
    const [stuck] = await receiveAll('hop4', 1, 'transferDeadLetter');
    expect(stuck).toMatchObject({
      body: 'far',
      deadLetterReason: 'MaxTransferHopCountExceeded',
      deadLetterSource: 'hop4',
    });
    expect(await h.client.createReceiver('hop5').peekMessages(10)).toEqual([]);

    await h.client.createSender('hop1').sendMessages({ body: 'near' });
    expect((await receiveAll('hop5', 1)).map((m) => m.body)).toEqual(['near']);
  });

  it('dead-letters into the transfer dead-letter queue what the target cannot take', async () => {
    const big = Buffer.alloc(240 * 1024, 1);
    const sender = h.client.createSender('feeder');
    for (let i = 0; i < 5; i += 1) await sender.sendMessages({ body: big, messageId: `big-${i}` });
    const [refused] = await receiveAll('feeder', 1, 'transferDeadLetter');
    expect(refused).toMatchObject({
      messageId: 'big-4',
      deadLetterReason: 'QuotaExceeded',
      deadLetterSource: 'feeder',
    });
    expect((await receiveAll('tiny', 4)).map((m) => m.messageId)).toEqual([
      'big-0',
      'big-1',
      'big-2',
      'big-3',
    ]);
  });

  it('keeps sessions across a forward, and dead-letters a sessionless message a session queue refuses', async () => {
    await h.client
      .createSender('toSessions')
      .sendMessages([{ body: 'no-session' }, { body: 'in-session', sessionId: 'abc' }]);
    const [refused] = await receiveAll('toSessions', 1, 'transferDeadLetter');
    expect(refused).toMatchObject({
      body: 'no-session',
      deadLetterReason: 'InvalidOperation',
      deadLetterSource: 'toSessions',
    });
    const session = await h.client.acceptSession('sessions', 'abc', { receiveMode: 'receiveAndDelete' });
    expect((await drain(session, 1, { close: true })).map((m) => [m.body, m.sessionId])).toEqual([
      ['in-session', 'abc'],
    ]);
  });
});

describe('ForwardDeadLetteredMessagesTo', () => {
  it('sends what the queue dead-letters to the target with reason and source, leaving its dead-letter queue empty', async () => {
    await h.client.createSender('work').sendMessages([{ body: 'poison' }, { body: 'rejected' }]);
    const receiver = h.client.createReceiver('work');
    const [first, second] = await waitFor('two messages', async () => {
      const got = await receiver.receiveMessages(2, { maxWaitTimeInMs: 300 });
      return got.length === 2 ? got : undefined;
    });
    await receiver.abandonMessage(first!);
    await receiver.deadLetterMessage(second!, {
      deadLetterReason: 'Invalid',
      deadLetterErrorDescription: 'bad input',
    });
    const parked = await receiveAll('parking', 2);
    expect(parked.map((m) => [m.body, m.deadLetterReason, m.deadLetterSource])).toEqual([
      ['poison', 'MaxDeliveryCountExceeded', 'work'],
      ['rejected', 'Invalid', 'work'],
    ]);
    expect(parked[1]!.deadLetterErrorDescription).toBe('bad input');
    expect(await h.client.createReceiver('work', { subQueueType: 'deadLetter' }).peekMessages(10)).toEqual(
      [],
    );
  });
});

describe('forwarding configuration', () => {
  const refused = async (config: EmulatorConfig): Promise<string> => {
    const failure = await start({ config, port: await getFreePort(), httpPort: 0 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    return (failure as Error).message;
  };

  it('refuses a ForwardTo loop between queues, through a topic, and onto itself', async () => {
    expect(await refused(configWith({ a: { ForwardTo: 'b' }, b: { ForwardTo: 'A' } }))).toBe(
      'ForwardTo loop: a -> b -> a',
    );
    const viaTopic = configWith({ entry: { ForwardTo: 'news' } }, [
      { Name: 'news', Subscriptions: [{ Name: 'back', Properties: { ForwardTo: 'entry' } }] },
    ]);
    expect(await refused(viaTopic)).toBe('ForwardTo loop: entry -> news -> entry');
    expect(await refused(configWith({ self: { ForwardTo: 'self' } }))).toBe('ForwardTo loop: self -> self');
  });

  it('accepts chains that meet again without a loop, and forwards along both', async () => {
    const diamond = configWith({ left: { ForwardTo: 'sink' }, right: { ForwardTo: 'sink' }, sink: {} }, [
      {
        Name: 'split',
        Subscriptions: [
          { Name: 'l', Properties: { ForwardTo: 'left' } },
          { Name: 'r', Properties: { ForwardTo: 'right' } },
        ],
      },
    ]);
    const other = await startHarness(diamond);
    try {
      await other.client.createSender('split').sendMessages({ body: 'both ways' });
      const sink = other.client.createReceiver('sink', { receiveMode: 'receiveAndDelete' });
      expect((await drain(sink, 2, { close: true })).map((m) => m.body)).toEqual(['both ways', 'both ways']);
    } finally {
      await other.close();
    }
  });

  it('refuses a forwarding target that does not exist', async () => {
    expect(await refused(configWith({ lonely: { ForwardDeadLetteredMessagesTo: 'nowhere' } }))).toBe(
      "lonely: ForwardDeadLetteredMessagesTo names 'nowhere', which is not a queue or topic of this namespace",
    );
  });
});
