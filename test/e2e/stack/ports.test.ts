import { createServer, type Server } from 'node:net';
import { assertPortsFree, getFreePort } from '../../../local/stack/checkPorts';
import { resolvePorts } from '../../../local/stack/ports';
import { freeStackPorts } from './stackSupport';

describe('stack ports', () => {
  it('uses the defaults, then settings, then command-line flags', () => {
    expect(resolvePorts({})).toMatchObject({
      serviceBus: 5672,
      serviceBusHttp: 5300,
      cosmos: 8081,
      azuriteBlob: 10000,
      devHost: 7071,
      receiver: 7072,
    });
    expect(resolvePorts({ SWITCHYARD_DEVHOST_PORT: '8071' }).devHost).toBe(8071);
    expect(resolvePorts({ SWITCHYARD_DEVHOST_PORT: '8071' }, { devHost: '9071' }).devHost).toBe(9071);
  });

  it('rejects a port that is not a number and two parts on one port', () => {
    expect(() => resolvePorts({ SWITCHYARD_COSMOS_PORT: 'abc' })).toThrow(
      'SWITCHYARD_COSMOS_PORT must be a port number',
    );
    expect(() => resolvePorts({}, { receiver: '7071' })).toThrow(
      /port 7071 is given to both the Functions dev host .* and the sample webhook receiver/,
    );
  });

  it('never hands out the same free port twice in one process (a stack takes eight at once)', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i += 1) ports.push(await getFreePort());
    expect(new Set(ports).size).toBe(40);
  });

  it('names every busy port, what wanted it and how to move it', async () => {
    const ports = await freeStackPorts();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.cosmos, '127.0.0.1', resolve));
    try {
      await expect(assertPortsFree(ports, ['devHost', 'cosmos'])).rejects.toThrow(
        `port ${ports.cosmos} (wanted by the Cosmos DB server) is in use: stop what uses it, or set SWITCHYARD_COSMOS_PORT / pass --cosmos-port to pick another`,
      );
      await expect(assertPortsFree(ports, ['devHost', 'receiver'])).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
