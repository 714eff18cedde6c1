import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/**
 * Routes whose body, query and params are typed from their TypeBox schemas: Fastify validates the
 * input against the schema before the handler runs (and the OpenAPI document is generated from the
 * same schemas), so handlers read request input without casts.
 */
export const typedRoutes = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

/**
 * The body of an upload read as raw bytes by a content-type parser (signed XML, certificates): the
 * signature covers bytes, so the parser and the handler check it, not JSON Schema. The schema
 * documents the body and accepts any value.
 */
export const rawBodySchema = (description: string) => Type.Unknown({ description });
