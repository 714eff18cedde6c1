import { liveQuery } from 'dexie';
import { type DependencyList, useEffect, useRef, useState } from 'react';

/** The current value of an IndexedDB query, re-run whenever the tables it read change (any tab). */
export function useLive<T>(query: () => Promise<T>, deps: DependencyList): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    const sub = liveQuery(query).subscribe({ next: setValue, error: () => setValue(undefined) });
    return () => sub.unsubscribe();
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what the query depends on
  }, deps);
  return value;
}

/** navigator.onLine, kept current. It only says a network is there, not that the server answers. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);
  return online;
}

const DRAFT_PREFIX = 'station-draft:';

/**
 * Form state that survives a reload, a crash, a refused save and a lost connection: every change is
 * written to localStorage under `key`, until the entry is queued and `clear` is called.
 */
export function useDraft<T extends object>(key: string, initial: () => T): [T, (next: T | ((prev: T) => T)) => void, () => void] {
  const storageKey = DRAFT_PREFIX + key;
  const [value, setValue] = useState<T>(() => {
    try {
      const saved = localStorage.getItem(storageKey);
      if (saved) return { ...initial(), ...(JSON.parse(saved) as Partial<T>) };
    } catch {
      // An unreadable draft is ignored; the form starts empty.
    }
    return initial();
  });
  const keyRef = useRef(storageKey);
  keyRef.current = storageKey;
  const update = (next: T | ((prev: T) => T)) => {
    setValue((prev) => {
      const v = typeof next === 'function' ? (next as (p: T) => T)(prev) : next;
      try {
        localStorage.setItem(keyRef.current, JSON.stringify(v));
      } catch {
        // Storage full or blocked: the form still works, only the reload safety net is lost.
      }
      return v;
    });
  };
  const clear = () => localStorage.removeItem(keyRef.current);
  return [value, update, clear];
}

/** Drops every saved draft (logout: drafts hold personal data). */
export function clearDrafts() {
  for (const k of Object.keys(localStorage)) if (k.startsWith(DRAFT_PREFIX)) localStorage.removeItem(k);
}

/** Puts a draft in place before its form opens (editing a refused entry again). */
export function seedDraft(key: string, value: unknown) {
  localStorage.setItem(DRAFT_PREFIX + key, JSON.stringify(value));
}
