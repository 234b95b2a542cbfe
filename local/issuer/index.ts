/**
 * A small OpenID issuer for running without Entra ID: a discovery document and a JWKS on
 * loopback, and tokens signed with its own RSA key (jose), so the app verifies local tokens
 * exactly as it verifies Entra ID's: same code, real signatures, no bypass. Local only: anyone
 * who can reach the port can ask for any role (POST /token).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { z } from 'zod';

/** What the app is told to expect from local tokens (SWITCHYARD_AUTH_AUDIENCE). */
export const LOCAL_AUDIENCE = 'api://switchyard-local';
const ALGORITHM = 'RS256';
const DEFAULT_LIFETIME_SECONDS = 60 * 60;
const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;

/** Each role for each topic (`Switchyard.Publish.orders`); Switchyard.Admin has no topic form. Pure. */
export function rolesFor(roles: readonly string[], topics: readonly string[]): string[] {
  if (topics.length === 0) return [...roles];
  return roles.flatMap((role) =>
    role === 'Switchyard.Admin' ? [role] : topics.map((topic) => `${role}.${topic}`),
  );
}

export interface TokenRequest {
  roles: string[];
  /** The caller's object id (`oid`, `sub`); a fresh one by default. */
  subject?: string;
  audience?: string;
  issuer?: string;
  /** Negative makes an already expired token (for tests). Default one hour. */
  lifetimeSeconds?: number;
  /** Seconds from now before which the token is not valid (`nbf`). */
  notBeforeSeconds?: number;
}

export interface RunningIssuer {
  /** The issuer URL (`iss`), also where /.well-known/openid-configuration is served. */
  url: string;
  audience: string;
  /** A token signed with this issuer's key. */
  sign(request: TokenRequest): Promise<string>;
  /** Signs with a new key from now on, publishing it beside the old one (a key rollover). */
  rotateKey(): Promise<void>;
  close(): Promise<void>;
}

const tokenRequestSchema = z.strictObject({
  roles: z.array(z.string().min(1).max(200)).max(100),
  subject: z.string().min(1).max(200).optional(),
  lifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(24 * 60 * 60)
    .optional(),
});

export interface IssuerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  audience?: string;
}

export async function startIssuer(options: IssuerOptions): Promise<RunningIssuer> {
  const host = options.host ?? '127.0.0.1';
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const published: JWK[] = [];
  let signing = await newKey(published);
  let url = '';

  const sign = (request: TokenRequest): Promise<string> =>
    signToken(signing.privateKey, signing.kid, {
      ...request,
      issuer: request.issuer ?? url,
      audience: request.audience ?? audience,
    });

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      req.resume();
      return send(res, 200, {
        issuer: url,
        jwks_uri: `${url}/discovery/keys`,
        token_endpoint: `${url}/token`,
        id_token_signing_alg_values_supported: [ALGORITHM],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
      });
    }
    if (req.method === 'GET' && path === '/discovery/keys') {
      req.resume();
      return send(res, 200, { keys: published });
    }
    if (req.method === 'POST' && path === '/token') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_TOKEN_REQUEST_BYTES) {
          return send(res, 413, { error: 'invalid_request', error_description: 'the body is too large' });
        }
        chunks.push(chunk as Buffer);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, { error: 'invalid_request', error_description: 'the body must be JSON' });
      }
      const parsed = tokenRequestSchema.safeParse(body);
      if (!parsed.success) {
        return send(res, 400, {
          error: 'invalid_request',
          error_description: parsed.error.issues[0]?.message,
        });
      }
      const lifetime = parsed.data.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
      const token = await sign({
        roles: parsed.data.roles,
        ...(parsed.data.subject ? { subject: parsed.data.subject } : {}),
        lifetimeSeconds: lifetime,
      });
      return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: lifetime });
    }
    req.resume();
    send(res, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host}:${port}`;
  return {
    url,
    audience,
    sign,
    async rotateKey() {
      signing = await newKey(published);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function newKey(published: JWK[]): Promise<{ privateKey: KeyLike; kid: string }> {
  const { publicKey, privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = randomBytes(8).toString('hex');
  published.push({ ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' });
  return { privateKey, kid };
}

/** Signs a token as Entra ID shapes an app-only access token: roles, oid, sub, azp. */
export async function signToken(
  privateKey: KeyLike,
  kid: string,
  request: TokenRequest & { issuer: string; audience: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const subject = request.subject ?? randomUUID();
  const lifetime = request.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
  const token = new SignJWT({ roles: request.roles, oid: subject, azp: 'switchyard-local-token-cli' })
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    .setSubject(subject)
    .setIssuedAt(lifetime < 0 ? now + lifetime - 60 : now)
    .setExpirationTime(now + lifetime);
  if (request.notBeforeSeconds !== undefined) token.setNotBefore(now + request.notBeforeSeconds);
  return token.sign(privateKey);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
