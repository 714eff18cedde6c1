import type { Immunization, Observation } from '@medplum/fhirtypes';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { receivedDoseId } from '../immunization/index.ts';
import { vitalIdByIdentifier } from '../vitals/index.ts';
import { acceptFhirJson, answer, bodyResource, FHIR_JSON, FHIR_WRITE_BODY_LIMIT, ifNoneExist, structuralIssues, structuralOutcome, type Writer, writerOf } from './write.ts';
import { createImmunization } from './write-immunization.ts';
import { createObservation } from './write-observation.ts';

const tags = ['fhir'];
// The element-level check is the StructureDefinition's (write.ts structuralIssues); the schema only names the type.
const resourceOf = (type: string) =>
  Type.Object({ resourceType: Type.Literal(type) }, { additionalProperties: true, description: `A FHIR R4 ${type} (application/fhir+json); see docs/fhir.md "Writes"` });

/** `POST /fhir/R4/Immunization` and `POST /fhir/R4/Observation` in the FHIR scope (write.ts says who may write). */
export function registerFhirWrites(scope: FastifyInstance, db: Db, tokenKey: string, base: string) {
  acceptFhirJson(scope);
  const app = typedRoutes(scope);
  type Identifier = { system: string; value: string };
  const writes = [
    {
      type: 'Immunization',
      create: (w: Writer, r: unknown, id: string) => createImmunization(db, w, r as Immunization, id),
      stored: async (w: Writer, i: Identifier) => (await receivedDoseId(db, w.facilityCode, i))?.toString(),
    },
    {
      type: 'Observation',
      create: (w: Writer, r: unknown, id: string) => createObservation(db, w, r as Observation, id),
      stored: async (w: Writer, i: Identifier) => {
        const id = await vitalIdByIdentifier(db, w.facilityCode, i);
        return id === undefined ? undefined : `vs-${id}`;
      },
    },
  ] as const;
  for (const w of writes) {
    app.post(
      `/fhir/R4/${w.type}`,
      {
        bodyLimit: FHIR_WRITE_BODY_LIMIT,
        schema: { summary: `Create ${w.type} (facility systems; idempotent by identifier)`, tags, body: resourceOf(w.type) },
        // Who and what kind of body come before the body's own checks: 401/415 say more than a schema error.
        preValidation: async (req) => {
          await writerOf(db, req, tokenKey);
          bodyResource(req, w.type);
        },
      },
      async (req, reply) => {
        const writer = await writerOf(db, req, tokenKey);
        const resource = bodyResource(req, w.type);
        const issues = structuralIssues(resource as unknown as Immunization);
        if (issues.length > 0) return reply.status(400).type(FHIR_JSON).send(structuralOutcome(issues));
        // Conditional create: what the sender already stored under that identifier is answered as it is.
        const condition = ifNoneExist(req);
        const match = condition && (await w.stored(writer, condition));
        if (match) return answer(db, reply, writer, base, w.type, match, false, req.id);
        // Structurally valid: the resource is the type the StructureDefinition describes.
        const stored = await w.create(writer, resource, req.id);
        return answer(db, reply, writer, base, w.type, stored.id, stored.created, req.id);
      },
    );
  }
}
