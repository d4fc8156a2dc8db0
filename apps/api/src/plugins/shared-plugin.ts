import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

/**
 * Mark a plugin as shared (what fastify-plugin does): its decorators and hooks apply to the
 * whole app instead of an encapsulated child context.
 */
export function sharedPlugin<O extends object>(
  name: string,
  plugin: (app: FastifyInstance, opts: O) => Promise<void>,
): FastifyPluginAsync<O> {
  const p = plugin as FastifyPluginAsync<O> & Record<symbol, unknown>;
  p[Symbol.for('skip-override')] = true;
  p[Symbol.for('fastify.display-name')] = name;
  return p;
}
