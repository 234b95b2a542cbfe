/**
 * `npm run auth:app-registration` (or the azd preprovision hook with
 * SWITCHYARD_CREATE_APP_REGISTRATION=true): creates or updates the Entra ID app registration
 * that Switchyard's tokens are issued for, with its app roles, through the Azure CLI (`az`,
 * signed in, allowed to create app registrations), then `azd env set SWITCHYARD_AUTH_AUDIENCE`.
 * Re-running keeps every role's id, so assignments survive. Per-topic roles for the topics in
 * SWITCHYARD_ROLE_TOPICS (space or comma separated), e.g. Switchyard.Publish.orders.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ROLE_PERMISSIONS } from '../../shared/auth/permissions';

export interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}

const DESCRIPTIONS: Record<string, string> = {
  publish: 'publish events',
  'subscriptions.read': 'read subscriptions',
  'subscriptions.write': 'create, change and delete subscriptions',
  'events.read': 'read event status, deliveries and dead letters',
  operate: 'redrive dead letters and read the ingress dead letters',
  admin: 'everything, including API key management',
};

/** The Azure CLI's own client id: pre-authorized so `az account get-access-token` works for people. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/**
 * The app roles to declare: one per permission, plus one per (permission, topic) for the given
 * topics (Admin has no topic form). A role that exists keeps its id; roles not wanted any more
 * are kept but disabled (Entra ID refuses to delete an enabled role). Pure.
 */
export function appRoles(existing: readonly AppRole[], topics: readonly string[]): AppRole[] {
  const wanted: Array<Pick<AppRole, 'value' | 'displayName' | 'description'>> = [];
  for (const [role, permission] of Object.entries(ROLE_PERMISSIONS)) {
    const what = DESCRIPTIONS[permission] ?? permission;
    wanted.push({ value: role, displayName: role, description: `Switchyard: ${what} (every topic).` });
    if (permission === 'admin') continue;
    for (const topic of topics) {
      wanted.push({
        value: `${role}.${topic}`,
        displayName: `${role}.${topic}`,
        description: `Switchyard: ${what} on topic ${topic}.`,
      });
    }
  }
  const byValue = new Map(existing.map((role) => [role.value, role]));
  const roles: AppRole[] = wanted.map((role) => ({
    id: byValue.get(role.value)?.id ?? randomUUID(),
    ...role,
    allowedMemberTypes: ['User', 'Application'],
    isEnabled: true,
  }));
  const wantedValues = new Set(wanted.map((role) => role.value));
  for (const role of existing) {
    if (!wantedValues.has(role.value)) roles.push({ ...role, isEnabled: false });
  }
  return roles;
}

function az(args: string[], input?: string): string {
  return execFileSync('az', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'inherit'] }).trim();
}

function graphPatch(objectId: string, body: unknown): void {
  az([
    'rest',
    '--method',
    'PATCH',
    '--uri',
    `https://graph.microsoft.com/v1.0/applications/${objectId}`,
    '--headers',
    'Content-Type=application/json',
    '--body',
    JSON.stringify(body),
  ]);
}

function main(): void {
  const environment = process.env.AZURE_ENV_NAME ?? 'dev';
  const displayName = process.env.SWITCHYARD_APP_REGISTRATION_NAME ?? `switchyard-${environment}`;
  const topics = (process.env.SWITCHYARD_ROLE_TOPICS ?? '').split(/[\s,]+/).filter((topic) => topic !== '');

  const found = JSON.parse(
    az([
      'ad',
      'app',
      'list',
      '--display-name',
      displayName,
      '--query',
      '[].{appId:appId,id:id}',
      '-o',
      'json',
    ]),
  ) as Array<{ appId: string; id: string }>;
  const app =
    found[0] ??
    (JSON.parse(
      az([
        'ad',
        'app',
        'create',
        '--display-name',
        displayName,
        '--sign-in-audience',
        'AzureADMyOrg',
        '-o',
        'json',
      ]),
    ) as { appId: string; id: string });
  const current = JSON.parse(az(['ad', 'app', 'show', '--id', app.appId, '-o', 'json'])) as {
    appRoles?: AppRole[];
    api?: { oauth2PermissionScopes?: Array<{ id: string; value: string }> };
  };
  const scopeId =
    current.api?.oauth2PermissionScopes?.find((scope) => scope.value === 'access_as_user')?.id ??
    randomUUID();

  // v2 tokens (issuer .../v2.0, audience = the client id), the roles, and one delegated scope so
  // people can get a token with the Azure CLI; then pre-authorize the CLI for that scope.
  graphPatch(app.id, {
    identifierUris: [`api://${app.appId}`],
    appRoles: appRoles(current.appRoles ?? [], topics),
    api: {
      requestedAccessTokenVersion: 2,
      oauth2PermissionScopes: [
        {
          id: scopeId,
          value: 'access_as_user',
          type: 'User',
          isEnabled: true,
          adminConsentDisplayName: 'Call Switchyard',
          adminConsentDescription: 'Call the Switchyard API with the app roles assigned to the user.',
          userConsentDisplayName: 'Call Switchyard',
          userConsentDescription: 'Call the Switchyard API with your assigned roles.',
        },
      ],
    },
  });
  graphPatch(app.id, {
    api: { preAuthorizedApplications: [{ appId: AZURE_CLI_CLIENT_ID, delegatedPermissionIds: [scopeId] }] },
  });
  // The service principal is what role assignments attach to.
  try {
    az(['ad', 'sp', 'show', '--id', app.appId, '--query', 'id', '-o', 'tsv']);
  } catch {
    az(['ad', 'sp', 'create', '--id', app.appId, '--query', 'id', '-o', 'tsv']);
  }
  execFileSync('azd', ['env', 'set', 'SWITCHYARD_AUTH_AUDIENCE', app.appId], { stdio: 'inherit' });
  console.log(
    `App registration ${displayName}: application (client) id ${app.appId}, set as SWITCHYARD_AUTH_AUDIENCE.`,
  );
}

if (require.main === module) main();
