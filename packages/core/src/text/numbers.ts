/**
 * Numbers as Vietnamese readers write them: comma before the decimals, dot between thousands
 * ("65,12 kg", "1.500 viên"). XML 130 carries numbers with a dot decimal separator; a value keeps
 * the number of decimals it was sent with, so "37.0" stays "37,0".
 */
const formats = new Map<number, Intl.NumberFormat>();
const formatWith = (decimals: number) => {
  let f = formats.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formats.set(decimals, f);
  }
  return f;
};

const NUMERIC = /^([<>≤≥]=?\s*)?(-?\d+)(?:\.(\d+))?$/;

/**
 * A number, or a numeric text from a facility ("5.73", "<0.5"), in Vietnamese notation. A number
 * gets at most `maxDecimals` decimals; text that is not a number ("Âm tính") is returned as it is.
 */
export function viNumber(value: number | string | null | undefined, maxDecimals = 3): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    const rounded = Number(value.toFixed(maxDecimals));
    const decimals = (String(rounded).split('.')[1] ?? '').length;
    return formatWith(decimals).format(rounded);
  }
  const text = value.trim();
  const m = NUMERIC.exec(text);
  if (!m) return value;
  const decimals = m[3]?.length ?? 0;
  return `${m[1] ?? ''}${formatWith(decimals).format(Number(`${m[2]}.${m[3] ?? '0'}`))}`;
}
