/**
 * Carries person ids across re-linking runs. Each new cluster keeps the previous id held by
 * most of its records (ties: lexicographically smaller id, then the cluster whose first record
 * comes first); an id goes to at most one cluster, so after a split only the largest part keeps
 * it and the others get fresh ids from `newId`.
 */
export function assignStableIds(
  clusterOf: ArrayLike<number>,
  previousIds: ReadonlyArray<string | undefined>,
  newId: () => string,
): string[] {
  const n = clusterOf.length;
  const firstIndex = new Map<number, number>();
  const votes = new Map<number, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    const c = clusterOf[i]!;
    if (!firstIndex.has(c)) firstIndex.set(c, i);
    const prev = previousIds[i];
    if (prev === undefined || prev === '') continue;
    let v = votes.get(c);
    if (!v) {
      v = new Map();
      votes.set(c, v);
    }
    v.set(prev, (v.get(prev) ?? 0) + 1);
  }
  const candidates: Array<{ cluster: number; id: string; count: number; first: number }> = [];
  for (const [cluster, v] of votes) for (const [id, count] of v) candidates.push({ cluster, id, count, first: firstIndex.get(cluster)! });
  candidates.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.first - b.first);
  const idOf = new Map<number, string>();
  const used = new Set<string>();
  for (const c of candidates) {
    if (idOf.has(c.cluster) || used.has(c.id)) continue;
    idOf.set(c.cluster, c.id);
    used.add(c.id);
  }
  const clustersInOrder = [...firstIndex.entries()].sort((a, b) => a[1] - b[1]);
  for (const [cluster] of clustersInOrder) {
    if (idOf.has(cluster)) continue;
    let id = newId();
    while (used.has(id)) id = newId();
    idOf.set(cluster, id);
    used.add(id);
  }
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = idOf.get(clusterOf[i]!)!;
  return out;
}
