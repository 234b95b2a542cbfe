/**
 * Lock tokens travel as delivery tags in .NET Guid.ToByteArray() order (the first three groups
 * little-endian); the SDK reorders them into the RFC string. Management requests carry them as
 * AMQP uuids in RFC order.
 */
export function lockTokenToRfcBytes(token: string): Buffer {
  return Buffer.from(token.replace(/-/g, ''), 'hex');
}

/** RFC byte order -> .NET Guid byte order (and back: the swap is its own inverse). */
function swapGuidOrder(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out[0] = bytes[3]!;
  out[1] = bytes[2]!;
  out[2] = bytes[1]!;
  out[3] = bytes[0]!;
  out[4] = bytes[5]!;
  out[5] = bytes[4]!;
  out[6] = bytes[7]!;
  out[7] = bytes[6]!;
  return out;
}

export function lockTokenToDeliveryTag(token: string): Buffer {
  return swapGuidOrder(lockTokenToRfcBytes(token));
}

export function rfcBytesToLockToken(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function deliveryTagToLockToken(tag: Buffer): string {
  return rfcBytesToLockToken(swapGuidOrder(tag));
}
