/**
 * SMART App Launch scopes (v1 `patient/Observation.read`, v2 `patient/Observation.rs`). The FHIR
 * interface is read-only, so only the read (r) and search (s) permissions are ever granted: a scope
 * asking for more is narrowed to what it asks of those two, one asking for none of them is dropped.
 * Granular v2 scopes with a query (`patient/Observation.rs?category=…`) are dropped too: the server
 * cannot enforce them.
 */

export type ScopeContext = 'patient' | 'user' | 'system';

export interface ResourceScope {
  context: ScopeContext;
  /** A resource type, or '*' for every type. */
  type: string;
  read: boolean;
  search: boolean;
  /** v1 syntax (`.read`): given back in the same syntax. */
  v1: boolean;
}

const SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.(read|write|\*|c?r?u?d?s?)$/;

export function parseScope(text: string): ResourceScope | null {
  const m = SCOPE.exec(text);
  if (!m || m[3] === '') return null;
  const [, context, type, perm] = m as unknown as [string, ScopeContext, string, string];
  if (perm === 'read' || perm === 'write' || perm === '*') {
    const read = perm !== 'write';
    return { context, type, read, search: read, v1: true };
  }
  return { context, type, read: perm.includes('r'), search: perm.includes('s'), v1: false };
}

export const formatScope = (s: ResourceScope): string =>
  `${s.context}/${s.type}.${s.v1 ? 'read' : `${s.read ? 'r' : ''}${s.search ? 's' : ''}`}`;

/** Scopes without a resource that a standalone patient launch may carry and this server honours. */
const LAUNCH_SCOPES = new Set(['launch/patient']);

/**
 * What of `requested` is granted within `allowed` (an app's registration) for one context: resource
 * scopes narrowed to read/search and to what an allowed scope covers, plus launch/patient. Order and
 * duplicates of the request are kept out of the answer.
 */
export function grantScopes(requested: readonly string[], allowed: readonly string[], context: ScopeContext): string[] {
  const limits = allowed.map(parseScope).filter((s): s is ResourceScope => s !== null && s.context === context);
  const out = new Set<string>();
  for (const text of requested) {
    if (context === 'patient' && LAUNCH_SCOPES.has(text) && allowed.includes(text)) {
      out.add(text);
      continue;
    }
    const want = parseScope(text);
    if (!want || want.context !== context) continue;
    const covering = limits.filter((l) => l.type === '*' || l.type === want.type);
    const read = want.read && covering.some((l) => l.read);
    const search = want.search && covering.some((l) => l.search);
    if (!read && !search) continue;
    // v1 has no way to say "read only" or "search only": a narrowed v1 scope is said in v2.
    const v1 = want.v1 && read && search;
    out.add(formatScope({ ...want, read, search, v1 }));
  }
  return [...out];
}

/** Permission on a resource type ('*' = an operation that returns every type) under granted scopes. */
export function scopeAllows(granted: readonly string[], type: string, perm: 'read' | 'search'): boolean {
  return granted.some((text) => {
    const s = parseScope(text);
    if (!s?.[perm]) return false;
    return s.type === '*' || (type !== '*' && s.type === type);
  });
}

/** Every scope form a registration may list: validated when an app is registered. */
export function isRegistrableScope(text: string): boolean {
  return LAUNCH_SCOPES.has(text) || parseScope(text) !== null;
}
