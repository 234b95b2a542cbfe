/**
 * `npm run token -- --roles Switchyard.Publish[,...] [--topics orders[,...]] [--subject ID]`:
 * asks the local issuer of `npm start` for a signed access token and prints it. With --topics
 * each role is given per topic (Switchyard.Publish.orders). Use it as
 * `curl -H "Authorization: Bearer $(npm run -s token -- --roles Switchyard.Events.Read)" ...`.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SETTINGS } from '../../shared/config/names';
import { rolesFor } from './index';
import { readSettingValues, withEnvironment } from '../stack/localSettings';
import { PORT_SPECS } from '../stack/ports';

const USAGE =
  'npm run token -- --roles Switchyard.Publish[,Switchyard.Events.Read,...] [--topics orders[,payments]] [--subject ID] [--minutes N] [--issuer URL]';

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function defaultIssuer(): string {
  let settings: Record<string, string | undefined> = process.env;
  try {
    settings = withEnvironment(
      readSettingValues(join(resolve(__dirname, '../..'), 'local.settings.json')),
      process.env,
    );
  } catch {
    // No local.settings.json yet: the defaults of npm start.
  }
  const port = settings[PORT_SPECS.issuer.setting]?.trim() || String(PORT_SPECS.issuer.defaultPort);
  return settings[SETTINGS.authIssuer]?.trim() || `http://127.0.0.1:${port}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      roles: { type: 'string' },
      topics: { type: 'string' },
      subject: { type: 'string' },
      minutes: { type: 'string' },
      issuer: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const roles = list(values.roles);
  if (values.help || roles.length === 0) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const issuer = values.issuer ?? defaultIssuer();
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      roles: rolesFor(roles, list(values.topics)),
      ...(values.subject ? { subject: values.subject } : {}),
      ...(minutes !== undefined ? { lifetimeSeconds: Math.round(minutes * 60) } : {}),
    }),
  }).catch((error: unknown) => {
    throw new Error(
      `the local issuer at ${issuer} does not answer (is npm start running?): ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(`the issuer refused: ${body.error_description ?? response.status}`);
  }
  console.log(body.access_token);
}

main().catch((error: unknown) => {
  console.error(`token: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
