import type { HttpFunctionPlan } from '../app/planFunctions';
import { compareRoutePrecedence, parseRouteTemplate, type RouteTemplate } from './routeTemplate';
import { errorMessage } from '../../../shared/errors/errorMessage';

export type RouteLookup =
  | { outcome: 'found'; plan: HttpFunctionPlan; params: Record<string, string> }
  | { outcome: 'notFound' }
  | { outcome: 'methodNotAllowed'; allowed: string[] };

interface Route {
  plan: HttpFunctionPlan;
  template: RouteTemplate;
}

/**
 * The HTTP functions of an app by route. A path that matches a route but not its methods is
 * "method not allowed" (405) rather than "not found", so callers learn what went wrong.
 */
export class RouteTable {
  readonly #routes: Route[];
  readonly #prefixSegments: string[];

  constructor(plans: HttpFunctionPlan[], routePrefix: string) {
    const problems: string[] = [];
    const routes: Route[] = [];
    for (const plan of plans) {
      try {
        routes.push({ plan, template: parseRouteTemplate(plan.route) });
      } catch (error) {
        problems.push(`function "${plan.name}": ${errorMessage(error)}`);
      }
    }
    if (problems.length > 0) throw new Error(`Invalid HTTP routes:\n  - ${problems.join('\n  - ')}`);
    this.#routes = routes.sort((a, b) => compareRoutePrecedence(a.template, b.template));
    this.#prefixSegments = routePrefix.split('/').filter(Boolean);
  }

  /** `path` is the request path without the query string, still percent-encoded. */
  lookup(method: string, path: string): RouteLookup {
    const routePath = this.#stripPrefix(path);
    if (routePath === undefined) return { outcome: 'notFound' };
    const allowed = new Set<string>();
    for (const route of this.#routes) {
      const params = route.template.match(routePath);
      if (!params) continue;
      const methods = route.plan.methods;
      if (!methods || methods.includes(method.toUpperCase())) {
        return { outcome: 'found', plan: route.plan, params };
      }
      methods.forEach((m) => allowed.add(m));
    }
    return allowed.size > 0
      ? { outcome: 'methodNotAllowed', allowed: [...allowed].sort() }
      : { outcome: 'notFound' };
  }

  /** "[METHODS] <baseUrl>/prefix/route" for the start-up listing, as `func start` prints it. */
  describe(plan: HttpFunctionPlan, baseUrl: string): string {
    const route = this.#routes.find((r) => r.plan === plan);
    const path = [...this.#prefixSegments, route?.template.template ?? plan.route].filter(Boolean).join('/');
    return `[${(plan.methods ?? ['*']).join(',')}] ${baseUrl}/${path}`;
  }

  #stripPrefix(path: string): string | undefined {
    const segments = path.split('/').filter((segment, index) => index > 0 || segment !== '');
    for (const [index, prefixSegment] of this.#prefixSegments.entries()) {
      if ((segments[index] ?? '').toLowerCase() !== prefixSegment.toLowerCase()) return undefined;
    }
    return '/' + segments.slice(this.#prefixSegments.length).join('/');
  }
}
