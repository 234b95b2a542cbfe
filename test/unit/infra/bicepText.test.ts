import { mask, objectEntries, resourcesIn, stringItems, stringLiteral, valueAt } from './bicepText';

// The drift test is only as good as this reader: these cases are the Bicep shapes that would
// fool a naive regex (braces and quotes in strings and comments, nesting, interpolation).
const source = `
// resource commented 'Microsoft.Fake/things@2020-01-01' = { name: 'no' }
resource ns 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: 'sb-\${token}'
  /* a { brace in a comment */
  properties: {
    note: 'a } brace and a \\' quote in a string'
    nested: { deep: { value: 'x' } }
  }
}

resource q 'Microsoft.ServiceBus/namespaces/queues@2026-01-01' = if (enabled) {
  parent: ns
  name: 'ingress' // trailing comment
  properties: {
    list: [
      '/a' // 'not an item'
      '/b'
      '\${computed}'
    ]
    computed: toLower('X\${'}'}')
  }
}

resource old 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: 'existing-one'
}
`;

describe('bicepText', () => {
  const resources = resourcesIn('test.bicep', source);

  it('finds resource declarations, not ones in comments, with their types and existing flag', () => {
    expect(resources.map((r) => [r.symbol, r.type, r.existing])).toEqual([
      ['ns', 'Microsoft.ServiceBus/namespaces', false],
      ['q', 'Microsoft.ServiceBus/namespaces/queues', false],
      ['old', 'Microsoft.ServiceBus/namespaces', true],
    ]);
  });

  it('keeps offsets while blanking comments and string contents', () => {
    const masked = mask(source);
    expect(masked).toHaveLength(source.length);
    expect(masked).not.toContain('brace');
    expect(masked).toContain('resource q ');
  });

  it('reads literal names and says undefined for interpolated ones', () => {
    const [ns, q, old] = resources;
    expect(stringLiteral(ns && valueAt(ns.body, ['name']))).toBeUndefined();
    expect(stringLiteral(q && valueAt(q.body, ['name']))).toBe('ingress');
    expect(stringLiteral(old && valueAt(old.body, ['name']))).toBe('existing-one');
  });

  it('reads nested values and top-level keys only', () => {
    const [ns, q] = resources;
    expect(ns && [...objectEntries(ns.body).keys()]).toEqual(['name', 'properties']);
    expect(stringLiteral(ns && valueAt(ns.body, ['properties', 'nested', 'deep', 'value']))).toBe('x');
    expect(q && [...objectEntries(valueAt(q.body, ['properties']) ?? q.body).keys()]).toEqual([
      'list',
      'computed',
    ]);
  });

  it('reads the literal items of an array, skipping comments and interpolations', () => {
    const [, q] = resources;
    expect(stringItems(q && valueAt(q.body, ['properties', 'list']))).toEqual(['/a', '/b']);
  });
});
