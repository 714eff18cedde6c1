import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/**
 * Routes whose body, query and params are typed from their TypeBox schemas: Fastify validates the
 * input against the schema before the handler runs (and the OpenAPI document is generated from the
 * same schemas), so handlers read request input without casts.
 */
export const typedRoutes = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

const rawBodySchemas = new WeakSet<object>();

/**
 * The body of an upload read as raw bytes by a content-type parser (signed XML, certificates): the
 * signature covers bytes, so the parser and the handler check it, not JSON Schema. The schema
 * documents the body and accepts any value. Declaring it is also what lets the route take the raw
 * types of its scope's parser (acceptRawBodies); the scope's other routes refuse them.
 */
export const rawBodySchema = (description: string) => {
  const schema = Type.Unknown({ description });
  rawBodySchemas.add(schema);
  return schema;
};

export const isRawBodySchema = (schema: unknown): boolean => typeof schema === 'object' && schema !== null && rawBodySchemas.has(schema);
