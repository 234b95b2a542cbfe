import { AppSecretStore } from '../../../shared/store/AppSecretStore';
import { SubscriptionStore } from '../../../shared/store/SubscriptionStore';
import { startTestCosmos, type TestCosmos } from '../../support/cosmos';
import { subscriptionRecord } from './records';

let cosmos: TestCosmos;

beforeAll(async () => {
  cosmos = await startTestCosmos();
});

afterAll(async () => {
  await cosmos?.close();
});

describe('AppSecretStore', () => {
  it('makes one secret per purpose on first use; every instance (and a restart) reads the same', async () => {
    // Several instances starting at once: all agree on the one secret that was stored first.
    const instances = Array.from({ length: 4 }, () => new AppSecretStore(cosmos.database));
    const secrets = await Promise.all(instances.map((store) => store.secret('tokens-test')));
    expect(secrets[0]).toHaveLength(32);
    for (const secret of secrets) expect(secret.equals(secrets[0] as Buffer)).toBe(true);
    const afterRestart = await new AppSecretStore(cosmos.database).secret('tokens-test');
    expect(afterRestart.equals(secrets[0] as Buffer)).toBe(true);
    expect((await instances[0]?.secret('another-purpose'))?.equals(secrets[0] as Buffer)).toBe(false);
  });

  it('stays out of every topic list: "$" cannot start a topic name', async () => {
    const subscriptions = new SubscriptionStore(cosmos.database);
    await subscriptions.put(subscriptionRecord({ topic: 'secrets-neighbour', name: 'audit' }), {
      ifNoneMatch: '*',
    });
    await new AppSecretStore(cosmos.database).secret('tokens-test');
    const listed = await subscriptions.list('secrets-neighbour');
    expect(listed.items.map((item) => item.name)).toEqual(['audit']);
  });
});
