export interface PairwiseMetrics {
  precision: number;
  recall: number;
  f1: number;
  truePositivePairs: number;
  predictedPairs: number;
  truePairs: number;
}

export interface ClusterMetrics {
  pairwise: PairwiseMetrics;
  bcubed: { precision: number; recall: number; f1: number };
}

const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const pairs = (k: number) => (k * (k - 1)) / 2;

/**
 * Pairwise and B-cubed scores from per-record labels. Everything comes from the contingency
 * table of (predicted, true) labels, so the cost is O(n) rather than O(n²) pairs.
 * With no pairs at all on one side, precision/recall are defined as 1 (nothing wrong was claimed).
 */
export function clusterMetrics(predicted: ArrayLike<number | string>, truth: ArrayLike<number | string>): ClusterMetrics {
  const n = predicted.length;
  if (truth.length !== n) throw new Error('predicted and truth must have the same length');
  const predId = new Map<number | string, number>();
  const trueId = new Map<number | string, number>();
  const p = new Int32Array(n);
  const t = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let a = predId.get(predicted[i]!);
    if (a === undefined) {
      a = predId.size;
      predId.set(predicted[i]!, a);
    }
    let b = trueId.get(truth[i]!);
    if (b === undefined) {
      b = trueId.size;
      trueId.set(truth[i]!, b);
    }
    p[i] = a;
    t[i] = b;
  }
  const predSize = new Float64Array(predId.size);
  const trueSize = new Float64Array(trueId.size);
  const cell = new Map<number, number>();
  const T = trueId.size;
  for (let i = 0; i < n; i++) {
    predSize[p[i]!]!++;
    trueSize[t[i]!]!++;
    const k = p[i]! * T + t[i]!;
    cell.set(k, (cell.get(k) ?? 0) + 1);
  }
  let tp = 0;
  for (const v of cell.values()) tp += pairs(v);
  let pp = 0;
  for (const v of predSize) pp += pairs(v);
  let tt = 0;
  for (const v of trueSize) tt += pairs(v);
  const precision = pp === 0 ? 1 : tp / pp;
  const recall = tt === 0 ? 1 : tp / tt;
  // B-cubed: each record in cell (p,t) has precision |cell|/|p| and recall |cell|/|t|.
  let bp = 0, br = 0;
  for (const [k, v] of cell) {
    const pi = Math.floor(k / T);
    bp += (v * v) / predSize[pi]!;
    br += (v * v) / trueSize[k - pi * T]!;
  }
  const bP = n === 0 ? 1 : bp / n, bR = n === 0 ? 1 : br / n;
  return {
    pairwise: { precision, recall, f1: f1(precision, recall), truePositivePairs: tp, predictedPairs: pp, truePairs: tt },
    bcubed: { precision: bP, recall: bR, f1: f1(bP, bR) },
  };
}
