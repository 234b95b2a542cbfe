import type { EntityRegistry } from '../broker/entityRegistry';
import { forwardingProblem, wireForwarding } from '../broker/forwarding';
import { badRequest } from './adminError';

/**
 * Applies a run-time change and re-installs the forwarders, as buildRegistry does at start.
 * A change that brings in a forwarding problem (a ForwardTo naming no queue or topic, a ForwardTo
 * loop) is undone and refused with 400. A problem that was already there (a target deleted at
 * run time: its messages go to the transfer dead-letter queue) does not block unrelated changes.
 */
export function changeWithForwarding<T>(
  registry: EntityRegistry,
  change: () => T,
  undo: (result: T) => void,
): T {
  const before = forwardingProblem(registry);
  const result = change();
  const after = forwardingProblem(registry);
  if (after !== undefined && after !== before) {
    undo(result);
    wireForwarding(registry);
    throw badRequest(after);
  }
  wireForwarding(registry);
  return result;
}
