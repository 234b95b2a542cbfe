import {
  CLAIM_CHECK_THRESHOLD_BYTES,
  needsClaimCheck,
  payloadBlobName,
} from '../../../shared/payloads/claimCheck';

describe('needsClaimCheck', () => {
  // In UTF-8 bytes: publish and route pass the byte size they know (with multi-byte characters:
  // test/unit/pipeline/claimCheckThreshold.test.ts).
  it('sends bodies up to the threshold inline and larger ones by claim check', () => {
    expect(CLAIM_CHECK_THRESHOLD_BYTES).toBeLessThan(256 * 1024);
    expect(needsClaimCheck(CLAIM_CHECK_THRESHOLD_BYTES)).toBe(false);
    expect(needsClaimCheck(CLAIM_CHECK_THRESHOLD_BYTES + 1)).toBe(true);
  });
});

describe('payloadBlobName', () => {
  it('is the same for the same event, so a re-run overwrites its own blob', () => {
    expect(payloadBlobName('Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4')).toBe(
      payloadBlobName('Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4'),
    );
  });

  it('is 64 lower-case hex characters and .json, different per event', () => {
    const names = ['a', 'b', 'A', '-_'].map(payloadBlobName);
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(new Set(names).size).toBe(names.length);
  });
});
