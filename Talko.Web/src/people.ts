// Display names by user id, fetched in batches from /v1/people and cached for the session. Someone without a name yet
// (a new account is often seen before its owner picks one) is asked again on a later draw, at most every few seconds.
import { api } from './api';

const retryUnnamedAfterMs = 2000;
const names = new Map<string, { name: string; final: boolean; askedAt: number }>();
const pending = new Set<string>();
let flush: Promise<boolean> | null = null;
let generation = 0;

/** Changes whenever a name shown so far changed: views built with nameOf are stale when it moved. */
export function namesGeneration(): number { return generation; }


export function nameOf(userId: string | null): string {
  if (!userId) return 'Talko';
  const known = names.get(userId);
  if (!known || (!known.final && Date.now() - known.askedAt > retryUnnamedAfterMs)) pending.add(userId);
  return known?.name ?? 'Someone';
}

/** Resolves every id asked for since the last call; true when a name changed (the caller re-renders). */
export async function resolveNames(): Promise<boolean> {
  if (!pending.size) return false;
  flush ??= (async () => {
    const ids = [...pending].slice(0, 100);
    ids.forEach(id => pending.delete(id));
    const askedAt = Date.now();
    const before = new Map(ids.map(id => [id, names.get(id)?.name]));
    try {
      const people = await api.people(ids);
      ids.forEach(id => names.set(id, { name: 'Former member', final: true, askedAt }));
      people.forEach(p => names.set(p.userId, p.displayName ? { name: p.displayName, final: true, askedAt } : { name: 'Unnamed', final: false, askedAt }));
    } finally { flush = null; }
    // Someone still unnamed is asked again every few seconds; the screen is redrawn only if an answer differs.
    const changed = ids.some(id => names.get(id)?.name !== before.get(id));
    if (changed) generation++;
    return changed;
  })();
  return await flush;
}
