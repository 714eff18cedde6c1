import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParsedEpisode } from '@openhssk/core/xml130';
import { sensitivityOfEpisode } from './episode-record.ts';

const episode = (xml1: Record<string, string>, extra: Record<string, number> = {}): ParsedEpisode => ({
  maLk: 'LK1',
  tables: {
    XML1: [{ fields: xml1, extra: {} }],
    ...Object.fromEntries(Object.entries(extra).map(([t, n]) => [t, Array.from({ length: n }, () => ({ fields: {}, extra: {} }))])),
  },
  issues: [],
});

describe('sensitivity of an episode, stored once for every reader', () => {
  const cases: Array<[string, ParsedEpisode, string[]]> = [
    ['an ordinary visit', episode({ MA_DOITUONG_KCB: '1.1', MA_BENH_CHINH: 'J06' }), []],
    ['visit category 1.8 (TB patient) without a TB code', episode({ MA_DOITUONG_KCB: '1.8', MA_BENH_CHINH: 'J06' }), ['tb']],
    ['visit category 1.9 (HIV patient) without an HIV code', episode({ MA_DOITUONG_KCB: ' 1.9 ', MA_BENH_CHINH: 'K29' }), ['hiv']],
    ['a mental-health code', episode({ MA_DOITUONG_KCB: '1.1', MA_BENH_CHINH: 'F32' }), ['mental']],
    ['a TB code and an XML6 table', episode({ MA_BENH_CHINH: 'A15' }, { XML6: 1 }), ['hiv', 'tb']],
    ['category 1.8 and a TB code: one mark', episode({ MA_DOITUONG_KCB: '1.8', MA_BENH_CHINH: 'A16' }), ['tb']],
  ];
  for (const [name, e, want] of cases) {
    it(name, () => assert.deepEqual(sensitivityOfEpisode(e), want));
  }
});
