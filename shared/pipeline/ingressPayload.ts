/**
 * Claim check on the ingress queue: an event too large for a Service Bus message travels as its
 * attributes only, with the blob reference of the whole event in this application property.
 */
export const PAYLOAD_REF_PROPERTY = 'payloadRef';
