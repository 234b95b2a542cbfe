import { ifMatchAllows, toEntityTag } from '../../../shared/management/entityTag';

describe('subscription entity tags', () => {
  it('answers the quoted form whether the store gives a quoted or a bare ETag', () => {
    expect(toEntityTag('"0a00-11"')).toBe('"0a00-11"');
    expect(toEntityTag('47b5dc69-fc0a')).toBe('"47b5dc69-fc0a"');
  });

  it.each([
    ['the tag as answered', '"abc"', 'abc', true],
    ['the tag as answered, store quoted', '"abc"', '"abc"', true],
    ['a bare tag', 'abc', '"abc"', true],
    ['a list holding the tag', '"x", "abc"', 'abc', true],
    ['a list without the tag', '"x", "y"', 'abc', false],
    ['a tag with a comma inside', '"a,b"', 'a,b', true],
    ['a stale tag', '"old"', 'abc', false],
    ['a weak tag (If-Match compares strongly)', 'W/"abc"', 'abc', false],
    ['*', '*', 'abc', true],
  ])('If-Match with %s: %s on %s allows: %s', (_label, header, current, allowed) => {
    expect(ifMatchAllows(header, current)).toBe(allowed);
  });

  it('allows nothing, not even *, on a resource that does not exist', () => {
    expect(ifMatchAllows('*', undefined)).toBe(false);
    expect(ifMatchAllows('"abc"', undefined)).toBe(false);
  });
});
