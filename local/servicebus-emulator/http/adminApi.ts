import { badRequest } from './adminError';
import { entryReply, type AdminCall, type AdminContext, type AdminReply } from './adminContext';
import type { AdminTarget } from './adminPaths';
import { deleteEntity, getEntity, listQueues, listTopics, putEntity } from './entityAdmin';
import {
  deleteRule,
  deleteSubscription,
  getRule,
  getSubscription,
  listRulesOf,
  listSubscriptions,
  putRule,
  putSubscription,
} from './subscriptionAdmin';

/**
 * The ATOM management operations of ServiceBusAdministrationClient on the emulator's entities.
 * Throws AdminError for refusals; the HTTP layer writes them as the service's Error body.
 */
export function runAdminOperation(
  ctx: AdminContext,
  method: string,
  target: AdminTarget,
  call: AdminCall,
): AdminReply {
  switch (target.kind) {
    case 'namespace':
      if (method !== 'GET') break;
      return namespaceInfo(ctx, call);
    case 'queues':
      if (method !== 'GET') break;
      return listQueues(ctx, call);
    case 'topics':
      if (method !== 'GET') break;
      return listTopics(ctx, call);
    case 'entity':
      if (method === 'GET') return getEntity(ctx, call, target.name);
      if (method === 'PUT') return putEntity(ctx, call, target.name);
      if (method === 'DELETE') return deleteEntity(ctx, target.name);
      break;
    case 'subscriptions':
      if (method !== 'GET') break;
      return listSubscriptions(ctx, call, target.topic);
    case 'subscription':
      if (method === 'GET') return getSubscription(ctx, call, target.topic, target.subscription);
      if (method === 'PUT') return putSubscription(ctx, call, target.topic, target.subscription);
      if (method === 'DELETE') return deleteSubscription(ctx, target.topic, target.subscription);
      break;
    case 'rules':
      if (method !== 'GET') break;
      return listRulesOf(ctx, call, target.topic, target.subscription);
    case 'rule':
      if (method === 'GET') return getRule(ctx, call, target.topic, target.subscription, target.rule);
      if (method === 'PUT') return putRule(ctx, call, target.topic, target.subscription, target.rule);
      if (method === 'DELETE') return deleteRule(ctx, target.topic, target.subscription, target.rule);
      break;
  }
  throw badRequest(`${method} is not supported on this resource`);
}

function namespaceInfo(ctx: AdminContext, call: AdminCall): AdminReply {
  const record = ctx.catalog.get('$namespaceinfo');
  const content = {
    CreatedTime: new Date(record.createdAt).toISOString(),
    MessagingSKU: 'Standard',
    ModifiedTime: new Date(record.updatedAt).toISOString(),
    Name: 'sbemulatorns',
    NamespaceType: 'Messaging',
  };
  return entryReply(200, call, '$namespaceinfo', 'NamespaceInfo', content, record);
}
