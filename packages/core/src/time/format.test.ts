import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viDate, viDateTime, viDelay } from './format.ts';

describe('Vietnamese date and date-time style (dd/mm/yyyy HH:mm, Viet Nam time)', () => {
  it('shows instants in Viet Nam time whatever the zone they come in', () => {
    assert.equal(viDateTime(new Date('2026-01-31T18:30:00Z')), '01/02/2026 01:30');
    assert.equal(viDateTime('2026-11-29T00:11:05.123Z'), '29/11/2026 07:11');
    assert.equal(viDateTime('2026-11-29T07:11:05+07:00'), '29/11/2026 07:11');
    assert.equal(viDateTime(Date.parse('2026-12-31T17:00:00Z')), '01/01/2027 00:00');
  });
  it('keeps stored wall-clock values as they are (they are Viet Nam time already)', () => {
    assert.equal(viDateTime('2026-09-28 08:59:00'), '28/09/2026 08:59');
    assert.equal(viDateTime('2026-09-28 08:59'), '28/09/2026 08:59');
    assert.equal(viDateTime('202609280859'), '28/09/2026 08:59');
    assert.equal(viDateTime('2026-09-28'), '28/09/2026');
  });
  it('says — for nothing and returns what it cannot read', () => {
    assert.equal(viDateTime(null), '—');
    assert.equal(viDateTime(undefined), '—');
    assert.equal(viDateTime('không rõ'), 'không rõ');
    assert.equal(viDateTime('1985'), '1985');
    assert.equal(viDateTime('2026-03'), '03/2026');
  });
  it('dates at the precision known', () => {
    assert.equal(viDate('2026-03-12'), '12/03/2026');
    assert.equal(viDate('20260312'), '12/03/2026');
    assert.equal(viDate('2026-03-12 10:00:00'), '12/03/2026');
    assert.equal(viDate('2026-03'), '03/2026');
    assert.equal(viDate('1985'), '1985');
    assert.equal(viDate(null), '—');
  });
  it('delays in days and hours', () => {
    assert.equal(viDelay(5), '5 giờ');
    assert.equal(viDelay(48), '2 ngày');
    assert.equal(viDelay(1486), '61 ngày 22 giờ');
    assert.equal(viDelay(-3), '0 giờ');
  });
});
