import { viNumber } from '../text/numbers.ts';
import type { Target } from './reports.ts';

// Figures of the report dashboard, its XLSX and its PDF, written once in Vietnamese notation.

/** A share between 0 and 1 as a percentage to a tenth ("97,2 %"); — when there is no denominator. */
export const percentText = (share: number | null | undefined): string => (share === null || share === undefined ? '—' : `${viNumber(share * 100, 1)} %`);

/** A count with thousands dots ("12.345"); — when unknown. */
export const countText = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : viNumber(n, 0));

/** The difference of two shares in percentage points ("+2,5 điểm %"). */
export const pointsText = (a: number | null, b: number | null | undefined): string =>
  a === null || b === null || b === undefined ? '—' : `${a >= b ? '+' : ''}${viNumber((a - b) * 100, 1)} điểm %`;

/** "≥ 95 %" / "> 80 %" */
export const targetText = (t: Pick<Target, 'value' | 'strict'>): string => `${t.strict ? '>' : '≥'} ${viNumber(t.value * 100, 1)} %`;
