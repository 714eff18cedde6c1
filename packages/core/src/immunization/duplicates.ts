import { type Antigen, antigenCount, antigensOfMask } from './antigens.ts';
import { parseDay } from './dates.ts';
import { recordMask } from './products.ts';
import type { DoseRecord } from './types.ts';

/**
 * Two sources often report one real dose (the commune's register and the national system, a
 * clinic's export and the parent's entry), sometimes a day apart and under different names
 * ("MR" / "Sởi"). Records of one person that share an antigen and lie within one day of each
 * other are one dose: no programme interval is shorter than a week, so this never merges two
 * real doses.
 */
export interface DuplicateGroup {
  readonly personId?: string;
  /** The record counted: the one naming the most antigens (a source that drops components is likelier than one that adds them), then the earliest, then the first given. */
  readonly keep: number;
  readonly duplicates: readonly number[];
  /** Antigens the group's records have in common with the kept one. */
  readonly antigens: readonly Antigen[];
}

interface Item {
  readonly index: number;
  readonly day: number;
  readonly mask: number;
}

interface Open {
  readonly firstDay: number;
  union: number;
  readonly members: Item[];
}

/**
 * Groups items of ONE person. A group spans at most one day: an item joins a group whose first
 * record is at most a day earlier and with which it shares an antigen.
 */
export function groupDuplicateItems(items: readonly Item[]): Item[][] {
  const sorted = [...items].sort((a, b) => a.day - b.day || a.index - b.index);
  const open: Open[] = [];
  const groups: Item[][] = [];
  for (const item of sorted) {
    while (open.length > 0 && (open[0] as Open).firstDay < item.day - 1) {
      const done = open.shift() as Open;
      if (done.members.length > 1) groups.push(done.members);
    }
    const target = open.find((g) => (g.union & item.mask) !== 0);
    if (target) {
      target.members.push(item);
      target.union |= item.mask;
    } else {
      open.push({ firstDay: item.day, union: item.mask, members: [item] });
    }
  }
  for (const g of open) if (g.members.length > 1) groups.push(g.members);
  return groups;
}

/** The member a group keeps: most antigens, then earliest, then first in the input. */
export function keptItem(members: readonly Item[]): Item {
  let best = members[0] as Item;
  for (const m of members) {
    const diff = antigenCount(m.mask) - antigenCount(best.mask);
    if (diff > 0 || (diff === 0 && (m.day < best.day || (m.day === best.day && m.index < best.index)))) best = m;
  }
  return best;
}

/** Duplicate groups among the records (of any number of persons, told apart by personId). Records with a bad date or an unknown product are skipped. */
export function findDuplicateDoses(doses: readonly DoseRecord[]): DuplicateGroup[] {
  const byPerson = new Map<string, Item[]>();
  doses.forEach((d, index) => {
    const day = parseDay(d.date);
    const mask = recordMask(d);
    if (day === undefined || mask === 0) return;
    const key = d.personId ?? '';
    const list = byPerson.get(key);
    if (list) list.push({ index, day, mask });
    else byPerson.set(key, [{ index, day, mask }]);
  });
  const out: DuplicateGroup[] = [];
  for (const [personId, items] of byPerson) {
    for (const members of groupDuplicateItems(items)) {
      const keep = keptItem(members);
      let shared = 0;
      for (const m of members) if (m !== keep) shared |= m.mask & keep.mask;
      const group = {
        keep: keep.index,
        duplicates: members.filter((m) => m !== keep).map((m) => m.index),
        antigens: antigensOfMask(shared),
      };
      out.push(personId === '' ? group : { personId, ...group });
    }
  }
  return out.sort((a, b) => a.keep - b.keep);
}
