import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP, isIPv4 } from 'node:net';

import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extendedKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

export interface SelfSignedCertificate {
  /** PEM certificate: serve it, and give it to clients as their trust anchor (NODE_EXTRA_CA_CERTS). */
  certPem: string;
  /** PEM PKCS#8 private key of the certificate. */
  keyPem: string;
}

export interface CertificateOptions {
  /** DNS names and IP addresses the certificate is valid for. */
  hosts?: string[];
  /** How long it is valid from now. */
  validDays?: number;
}

/**
 * A fresh P-256 key and a self-signed X.509 v3 certificate for it, written with node:crypto and
 * a small DER encoder. For local TLS only (the Application Insights exporter forces https).
 * It is its own CA (basicConstraints CA:TRUE) so a client can trust it directly.
 */
export function createSelfSignedCertificate({
  hosts = ['localhost', '127.0.0.1', '::1'],
  validDays = 7,
}: CertificateOptions = {}): SelfSignedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const name = sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(hosts[0] ?? 'localhost'))));
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive, at most 20 octets (RFC 5280)
  const notBefore = new Date(Date.now() - 60_000); // tolerate small clock skew
  const notAfter = new Date(Date.now() + validDays * 86_400_000);

  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    extension(OID.extendedKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...hosts.map(generalName))),
  );
  const tbsCertificate = sequence(
    explicit(0, smallInteger(2)), // version v3
    unsignedInteger(serial),
    signatureAlgorithm,
    name, // issuer = subject: self-signed
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbsCertificate, { key: privateKey, dsaEncoding: 'der' });
  const certificate = sequence(tbsCertificate, signatureAlgorithm, bitString(signature));

  return {
    certPem: toPem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** SAN entry: iPAddress [7] for literal addresses, dNSName [2] otherwise. */
function generalName(host: string): Buffer {
  if (isIP(host) === 0) return implicitPrimitive(2, Buffer.from(host, 'ascii'));
  return implicitPrimitive(7, ipBytes(host));
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // Expand "::" and write eight 16-bit groups.
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = new Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));
  return bytes;
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
