import { externalBySettings, parseExternalParts, stackAllowedCidrs } from '../../../local/stack/stackParts';
import { exampleSettings } from './stackSupport';

describe('which parts the stack starts', () => {
  it('starts every part for the example settings', () => {
    expect(externalBySettings(exampleSettings())).toEqual([]);
  });

  it('leaves alone a part whose setting points elsewhere or uses managed identity', () => {
    expect(
      externalBySettings({
        ...exampleSettings(),
        ServiceBusConnection:
          'Endpoint=sb://prod.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s',
      }),
    ).toEqual(['servicebus']);
    expect(
      externalBySettings({
        ...exampleSettings(),
        CosmosDbConnection: '',
        CosmosDbConnection__accountEndpoint: 'https://prod.documents.azure.com:443/',
      }),
    ).toEqual(['cosmos']);
    expect(
      externalBySettings({
        ...exampleSettings(),
        PayloadStorageConnection:
          'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      }),
    ).toEqual(['azurite']);
  });

  it('still starts a part whose setting names another local port', () => {
    expect(
      externalBySettings({
        ...exampleSettings(),
        ServiceBusConnection:
          'Endpoint=sb://127.0.0.1:5673;SharedAccessKeyName=k;SharedAccessKey=s;UseDevelopmentEmulator=true',
        PayloadStorageConnection:
          'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1',
      }),
    ).toEqual([]);
  });

  it('parses the external list and refuses unknown names', () => {
    expect(parseExternalParts(' ServiceBus, cosmos ')).toEqual(['servicebus', 'cosmos']);
    expect(parseExternalParts(undefined)).toEqual([]);
    expect(() => parseExternalParts('servicebus,redis')).toThrow(
      'unknown part "redis" (valid: servicebus, cosmos, azurite)',
    );
  });

  it('allows loopback when the allow-list setting is absent, and takes a given value (even empty) as it is', () => {
    expect(stackAllowedCidrs(undefined)).toBe('127.0.0.0/8');
    expect(stackAllowedCidrs('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(stackAllowedCidrs('127.0.0.0/8, 10.0.0.0/8')).toBe('127.0.0.0/8, 10.0.0.0/8');
    // Issue 12: an explicit empty value means no private range, as in Azure.
    expect(stackAllowedCidrs('')).toBe('');
    expect(stackAllowedCidrs('  ')).toBe('');
  });
});
