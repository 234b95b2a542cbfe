import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTelemetryView, type TelemetryView } from '../../../local/stack/telemetryView';
import { waitFor } from '../../support/wait';

/** POSTs one envelope to the fake ingestion the way the exporter does (its certificate is self-signed). */
function track(url: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/v2.1/track', url),
      { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('npm start --telemetry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-telemetry-'));
  let view: TelemetryView | undefined;

  afterAll(async () => {
    await view?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('points the app at the fake ingestion and prints each envelope in the live view', async () => {
    const lines: string[] = [];
    view = await startTelemetryView(dir, (line) => lines.push(line));
    expect(view).toBeDefined();
    expect(view!.settings.APPLICATIONINSIGHTS_CONNECTION_STRING).toContain(`IngestionEndpoint=${view!.url}`);
    expect(existsSync(view!.processEnv.NODE_EXTRA_CA_CERTS!)).toBe(true);

    const envelope = {
      name: 'Microsoft.ApplicationInsights.Message',
      time: new Date().toISOString(),
      data: {
        baseType: 'MessageData',
        baseData: { message: 'hello from the test', severityLevel: 'Information' },
      },
    };
    expect(await track(view!.url, [envelope])).toBe(200);
    await waitFor('the live view line', () =>
      lines.find((line) => line.startsWith('[telemetry] ') && line.includes('hello from the test')),
    );
  });
});
