import { startIssuer, type RunningIssuer } from '../../../local/issuer/index';
import { IssuerUnavailableError, TokenRejectedError } from '../../../shared/auth/authenticate';
import { createTokenVerifier } from '../../../shared/auth/tokenVerifier';
import { getFreePort } from '../../support/wait';

/** The verifier against the local issuer over loopback: real discovery, JWKS and signatures. */
describe('access token verification (jose, via OpenID discovery)', () => {
  let issuer: RunningIssuer;
  beforeAll(async () => {
    issuer = await startIssuer({ port: 0 });
  });
  afterAll(async () => {
    await issuer?.close();
  });

  const verifier = () =>
    createTokenVerifier({ issuer: issuer.url, audience: issuer.audience, keysCooldownMs: 0 });

  async function rejection(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a rejection');
  }

  it('accepts a valid token and maps its roles; the caller id is the oid', async () => {
    const token = await issuer.sign({
      roles: ['Switchyard.Publish.orders', 'Switchyard.Operate'],
      subject: 'oid-1',
    });
    await expect(verifier()(token)).resolves.toEqual({
      callerId: 'oid-1',
      grants: [
        { permission: 'operate', topics: '*' },
        { permission: 'publish', topics: ['orders'] },
      ],
    });
  });

  it.each([
    ['expired', { lifetimeSeconds: -600 }, 'expired'],
    ['not yet valid', { notBeforeSeconds: 600 }, 'nbf'],
    ['for another audience', { audience: 'api://other' }, 'aud'],
    ['from another issuer', { issuer: 'https://login.example/' }, 'iss'],
  ])('refuses a token %s, saying why', async (_what, claims, reason) => {
    const token = await issuer.sign({ roles: [], ...claims });
    const error = await rejection(verifier()(token));
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error.message).toContain(reason);
  });

  it('tolerates a small clock skew', async () => {
    await expect(verifier()(await issuer.sign({ roles: [], lifetimeSeconds: -30 }))).resolves.toBeDefined();
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const other = await startIssuer({ port: 0 });
    try {
      const token = await other.sign({ roles: [], issuer: issuer.url, audience: issuer.audience });
      expect(await rejection(verifier()(token))).toBeInstanceOf(TokenRejectedError);
    } finally {
      await other.close();
    }
  });

  it('follows a key rollover: a token signed with a new key verifies once the issuer publishes it', async () => {
    const verify = verifier();
    await verify(await issuer.sign({ roles: [] }));
    await issuer.rotateKey();
    await expect(verify(await issuer.sign({ roles: ['Switchyard.Admin'] }))).resolves.toMatchObject({
      grants: [{ permission: 'admin', topics: '*' }],
    });
  });

  it('says the issuer is unavailable (not the token invalid) when discovery cannot be reached', async () => {
    const closedPort = await getFreePort();
    const verify = createTokenVerifier({ issuer: `http://127.0.0.1:${closedPort}`, audience: 'x' });
    const error = await rejection(verify(await issuer.sign({ roles: [] })));
    expect(error).toBeInstanceOf(IssuerUnavailableError);
  });
});
