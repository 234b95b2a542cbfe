import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

import { type SelfSignedCertificate, createSelfSignedCertificate } from './selfSignedCertificate';

const ONE_DAY_MS = 86_400_000;

/**
 * The certificate in `dir` (cert.pem + key.pem) if it is still good for `host` for another day,
 * otherwise a new one written there. Reusing it matters: an app reads NODE_EXTRA_CA_CERTS only
 * when it starts, so a restarted fake endpoint must keep the certificate the app already trusts.
 */
export function loadOrCreateCertificate(
  dir: string,
  host: string,
): SelfSignedCertificate & { certPath: string } {
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const existing = readUsable(certPath, keyPath, host);
  if (existing) return { ...existing, certPath };

  const created = createSelfSignedCertificate({ hosts: ['localhost', host] });
  writeFileSync(keyPath, created.keyPem, { mode: 0o600 });
  writeFileSync(certPath, created.certPem);
  return { ...created, certPath };
}

function readUsable(certPath: string, keyPath: string, host: string): SelfSignedCertificate | undefined {
  if (!existsSync(certPath) || !existsSync(keyPath)) return undefined;
  try {
    const certPem = readFileSync(certPath, 'utf8');
    const keyPem = readFileSync(keyPath, 'utf8');
    const certificate = new X509Certificate(certPem);
    const coversHost = isIP(host) ? certificate.checkIP(host) : certificate.checkHost(host);
    const fresh = new Date(certificate.validTo).getTime() > Date.now() + ONE_DAY_MS;
    return coversHost && fresh && certificate.checkPrivateKey(createPrivateKey(keyPem))
      ? { certPem, keyPem }
      : undefined;
  } catch {
    return undefined; // unreadable or not a certificate: make a new one
  }
}
