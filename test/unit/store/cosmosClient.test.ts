import { endpointOfConnectionString, isLoopbackEndpoint } from '../../../shared/store/cosmosClient';

describe('Cosmos endpoints', () => {
  it('accepts self-signed certificates only on this machine', () => {
    expect(isLoopbackEndpoint('https://127.0.0.1:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://127.8.9.10:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://localhost:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://[::1]:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://sy.documents.azure.com:443/')).toBe(false);
    expect(isLoopbackEndpoint('https://127.0.0.1.example.com/')).toBe(false);
  });

  it('finds AccountEndpoint anywhere in a connection string, in any case', () => {
    expect(endpointOfConnectionString('AccountEndpoint=https://127.0.0.1:8081/;AccountKey=a2V5;')).toBe(
      'https://127.0.0.1:8081/',
    );
    expect(
      endpointOfConnectionString('AccountKey=a2V5; accountendpoint = https://sy.documents.azure.com:443/ ;'),
    ).toBe('https://sy.documents.azure.com:443/');
    expect(() => endpointOfConnectionString('AccountKey=a2V5;')).toThrow('has no AccountEndpoint');
  });
});
