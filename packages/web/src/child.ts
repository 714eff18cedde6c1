import { api, type Dependent } from './api.ts';

/** A dependent whose book a parent or guardian is viewing. */
export interface Child {
  id: string;
  name: string;
}

const CHILD_KEY = 'hssk_child';

export function loadChild(): Child | null {
  try {
    const v = sessionStorage.getItem(CHILD_KEY);
    return v ? (JSON.parse(v) as Child) : null;
  } catch {
    return null;
  }
}

export function storeChild(c: Child | null): void {
  if (c) sessionStorage.setItem(CHILD_KEY, JSON.stringify(c));
  else sessionStorage.removeItem(CHILD_KEY);
}

/**
 * Whether the server still lists the stored child among the caller's dependents. It alone decides
 * (a child turning 14 or a relation staff removed leaves the view), so a choice kept in this tab from
 * an earlier day must not keep showing the banner over a book the server now refuses.
 */
export async function stillDependent(c: Child): Promise<boolean> {
  const r = await api<{ dependents: Dependent[] }>('/api/v1/book/dependents');
  return r.dependents.some((d) => d.id === c.id);
}
