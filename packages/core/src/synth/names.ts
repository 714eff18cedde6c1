/**
 * Vietnamese name parts with rough frequency weights (family names follow published
 * surname shares: Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 % ...). Used by every synthetic generator.
 */
export const FAMILY_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['Nguyễn', 380], ['Trần', 110], ['Lê', 95], ['Phạm', 70], ['Hoàng', 51], ['Huỳnh', 30], ['Phan', 45],
  ['Vũ', 39], ['Võ', 25], ['Đặng', 21], ['Bùi', 20], ['Đỗ', 14], ['Hồ', 13], ['Ngô', 13], ['Dương', 10],
  ['Lý', 5], ['Đinh', 8], ['Trương', 6], ['Lương', 4], ['Mai', 4], ['Đào', 5], ['Tô', 3], ['Hà', 4],
  ['Tạ', 2], ['Cao', 3], ['Lâm', 3], ['Châu', 2], ['Thái', 2], ['Quách', 1], ['Kiều', 1], ['Trịnh', 4], ['Văn', 1],
];

export const MALE_MIDDLE: ReadonlyArray<readonly [string, number]> = [
  ['Văn', 40], ['Đức', 10], ['Minh', 12], ['Quốc', 8], ['Hữu', 8], ['Thành', 6], ['Công', 5], ['Ngọc', 4],
  ['Xuân', 4], ['Quang', 6], ['Tuấn', 3], ['Gia', 4], ['Anh', 3], ['Trọng', 4], ['Hoàng', 4], ['Duy', 4],
];

export const FEMALE_MIDDLE: ReadonlyArray<readonly [string, number]> = [
  ['Thị', 45], ['Ngọc', 10], ['Thu', 6], ['Thanh', 6], ['Minh', 5], ['Hồng', 5], ['Kim', 5], ['Thùy', 4],
  ['Bảo', 4], ['Khánh', 3], ['Phương', 4], ['Mỹ', 3], ['Diệu', 2], ['Hải', 2], ['Quỳnh', 3], ['Gia', 2],
];

export const MALE_GIVEN: ReadonlyArray<readonly [string, number]> = [
  ['An', 10], ['Anh', 12], ['Bình', 8], ['Cường', 6], ['Dũng', 9], ['Duy', 6], ['Đạt', 7], ['Đức', 8],
  ['Hải', 8], ['Hùng', 9], ['Huy', 9], ['Hưng', 6], ['Khang', 5], ['Khoa', 5], ['Kiên', 4], ['Long', 8],
  ['Lâm', 4], ['Minh', 11], ['Nam', 10], ['Nghĩa', 4], ['Phong', 6], ['Phúc', 6], ['Quân', 7], ['Quang', 6],
  ['Sơn', 7], ['Tài', 5], ['Thắng', 6], ['Thành', 7], ['Tiến', 6], ['Toàn', 5], ['Trung', 7], ['Tuấn', 9],
  ['Tùng', 6], ['Việt', 5], ['Vinh', 5], ['Hoàng', 5], ['Hiếu', 6], ['Khải', 3], ['Lộc', 4], ['Thịnh', 4],
];

export const FEMALE_GIVEN: ReadonlyArray<readonly [string, number]> = [
  ['Anh', 10], ['Châu', 4], ['Chi', 6], ['Dung', 6], ['Giang', 6], ['Hà', 8], ['Hạnh', 6], ['Hằng', 7],
  ['Hiền', 7], ['Hoa', 8], ['Hòa', 4], ['Hương', 9], ['Huyền', 7], ['Lan', 8], ['Linh', 11], ['Loan', 5],
  ['Mai', 9], ['My', 6], ['Nga', 6], ['Ngân', 5], ['Ngọc', 7], ['Nhung', 5], ['Oanh', 4], ['Phương', 7],
  ['Quyên', 4], ['Quỳnh', 6], ['Tâm', 5], ['Thảo', 8], ['Thủy', 6], ['Thúy', 5], ['Trang', 10], ['Trinh', 5],
  ['Tuyết', 4], ['Uyên', 5], ['Vân', 6], ['Vy', 6], ['Xuân', 4], ['Yến', 5], ['Nhi', 6], ['Thư', 5],
];

/** Deterministic PRNG (mulberry32): the same seed always yields the same data set. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickWeighted<T>(rng: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let r = rng() * total;
  for (const [v, w] of items) {
    r -= w;
    if (r < 0) return v;
  }
  return items[items.length - 1]![0];
}

export function pick<T>(rng: () => number, items: ReadonlyArray<T>): T {
  return items[Math.floor(rng() * items.length)]!;
}

export function randomInt(rng: () => number, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}
