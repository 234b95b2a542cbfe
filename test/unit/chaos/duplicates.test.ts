import {
  causeOf,
  classifyDuplicates,
  formatDuplicateReport,
  KILL_READ_LAG_MS,
  OUTAGE_LEAD_MS,
} from '../../chaos/duplicates';

// Seconds into a run: kills at 30 s and 70 s, one outage from 50 s to 60 s.
const s = (seconds: number) => seconds * 1000;
const timeline = { killsAtMs: [s(30), s(70)], outages: [{ fromMs: s(50), toMs: s(60) }] };

describe("the chaos gate's duplicate causes", () => {
  it.each([
    ['answered just before a kill, again after it', s(29.6), s(90), 'kill'],
    ['sent before a kill, read by the receiver just after it', s(30) + KILL_READ_LAG_MS - 100, s(90), 'kill'],
    ['answered well after a kill, again later', s(30) + KILL_READ_LAG_MS + 500, s(45), 'other'],
    ['answered during the outage, again after it', s(52), s(80), 'outage'],
    ['answered just before the outage began', s(50) - OUTAGE_LEAD_MS + 100, s(80), 'outage'],
    [
      'answered in the outage, a kill before the repeat: the outage refused the record',
      s(59),
      s(75),
      'outage',
    ],
    ['answered after the outage, no kill in between', s(61), s(68), 'other'],
    ['answered and repeated with nothing in between', s(10), s(20), 'other'],
  ] as const)('%s', (_what, previousOkAtMs, atMs, cause) => {
    expect(causeOf({ previousOkAtMs, atMs }, timeline)).toBe(cause);
  });

  it('counts by cause and by kill, and says how long before the kill the answers came', () => {
    const report = classifyDuplicates(
      [
        { previousOkAtMs: s(29.9), atMs: s(90) },
        { previousOkAtMs: s(29.5), atMs: s(91) },
        { previousOkAtMs: s(69.8), atMs: s(130) },
        { previousOkAtMs: s(55), atMs: s(75) },
        { previousOkAtMs: s(10), atMs: s(20) },
      ],
      timeline,
    );
    expect(report).toMatchObject({
      total: 5,
      byCause: { outage: 1, kill: 3, other: 1 },
      perKill: [2, 1],
      beforeKillMaxMs: 500,
    });
    expect(formatDuplicateReport(report)).toMatch(/^duplicates=5 \(outage:1 kill:3 \[2,1\] other:1; /);
  });

  it('an empty report reads as none', () => {
    expect(formatDuplicateReport(classifyDuplicates([], timeline))).toMatch(
      /^duplicates=0 \(outage:0 kill:0 \[0,0\] other:0; /,
    );
  });
});
