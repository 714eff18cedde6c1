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
