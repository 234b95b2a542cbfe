import type { IncomingMessage } from 'node:http';
import { classifyBlobRequest } from '../../../bench/cost/blobCounter';
import { classifyCosmosRequest } from '../../../bench/cost/cosmosCounter';
import { subtractCounts, totalOf } from '../../../bench/cost/counts';
import { countExecutions } from '../../../bench/cost/functionLog';
import { estimateRu } from '../../../bench/cost/ruModel';

/** The pure parts of `npm run bench:cost`: how requests and log lines are classified and charged. */
function request(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage;
}

describe('Cosmos DB requests', () => {
  const docs = '/dbs/switchyard/colls/deliveries/docs';
  it.each([
    ['POST', docs, { 'x-ms-cosmos-is-batch-request': 'True' }, 'bulk request'],
    ['POST', docs, { 'x-ms-cosmos-is-query-plan-request': 'True' }, 'query plan'],
    ['POST', docs, { 'x-ms-documentdb-isquery': 'true' }, 'query'],
    ['POST', docs, { 'x-ms-documentdb-is-upsert': 'true' }, 'upsert'],
    ['POST', docs, {}, 'create'],
    ['GET', `${docs}/dlv_1`, {}, 'point read'],
    ['GET', docs, {}, 'read feed'],
    ['PATCH', `${docs}/dlv_1`, {}, 'patch'],
    ['PUT', `${docs}/dlv_1`, {}, 'replace'],
    ['DELETE', `${docs}/dlv_1`, {}, 'delete'],
  ])('%s %s %j is a %s', (method, url, headers, kind) => {
    expect(classifyCosmosRequest(request(method, url, headers))).toEqual({ container: 'deliveries', kind });
  });

  it('counts account and container requests as metadata', () => {
    expect(classifyCosmosRequest(request('GET', '/'))).toEqual({ container: '(account)', kind: 'metadata' });
    expect(classifyCosmosRequest(request('GET', '/dbs/switchyard/colls/events/pkranges')).kind).toBe(
      'metadata',
    );
  });

  it("charges by Microsoft's size table, the larger row, and refusals and metadata as assumed", () => {
    expect(estimateRu('point read', '2xx', 1024)).toBe(1);
    expect(estimateRu('create', '2xx', 587)).toBe(4.95);
    expect(estimateRu('create (in bulk)', '2xx', 1641)).toBe(6.29);
    expect(estimateRu('patch', '2xx', 5000)).toBe(7.04);
    expect(estimateRu('point read', '404', 90)).toBe(1);
    expect(estimateRu('bulk request', '2xx', 60_000)).toBe(0);
    expect(estimateRu('query', '2xx', 600)).toBe(3);
  });
});

it('names Blob requests by method and target', () => {
  expect(classifyBlobRequest(request('PUT', '/devstoreaccount1/event-payloads/t/e.json'))).toEqual({
    container: 'event-payloads',
    operation: 'PUT blob',
  });
  expect(classifyBlobRequest(request('PUT', '/devstoreaccount1/event-payloads?restype=container'))).toEqual({
    container: 'event-payloads',
    operation: 'PUT container',
  });
  expect(classifyBlobRequest(request('GET', '/devstoreaccount1?comp=list')).operation).toBe(
    'GET container comp=list',
  );
});

it("counts the dev host's Executed lines per function and outcome", () => {
  const log = [
    "2026-12-07T15:28:22.107Z [Information] [deliver] [a] Executing 'Functions.deliver' (Reason='x', Id=a)",
    "2026-12-07T15:28:22.207Z [Information] [deliver] [a] Executed 'Functions.deliver' (Succeeded, Id=a, Duration=12ms)",
    "2026-12-07T15:28:22.307Z [Error] [route] [b] Executed 'Functions.route' (Failed, Id=b, Duration=30ms): boom",
    "2026-12-07T15:28:22.407Z [Information] [deliver] [c] Executed 'Functions.deliver' (Succeeded, Id=c, Duration=8ms)",
  ].join('\n');
  expect(countExecutions(log)).toEqual({
    deliver: { succeeded: 2, failed: 0, totalMs: 20 },
    route: { succeeded: 0, failed: 1, totalMs: 30 },
  });
});

it('subtracts nested counts leaf by leaf and leaves out what did not change', () => {
  const before = { ingress: { send: 5, receive: 5 }, $cbs: { 'put-token': 2 } };
  const after = { ingress: { send: 9, receive: 5, complete: 3 }, $cbs: { 'put-token': 2 } };
  const delta = subtractCounts(after, before);
  expect(delta).toEqual({ ingress: { send: 4, complete: 3 } });
  expect(totalOf(delta)).toBe(7);
});
