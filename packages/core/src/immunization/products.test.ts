import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { antigenMask, antigensOfMask } from './antigens.ts';
import { matchProduct, PRODUCTS, productById, recordMask } from './products.ts';

describe('product matching', () => {
  const cases: [string, string | undefined][] = [
    ['DPT-VGB-Hib', 'DPT-VGB-Hib'],
    ['dpt vgb hib', 'DPT-VGB-Hib'],
    ['DPT_VGB_HIB', 'DPT-VGB-Hib'],
    ['DPT - VGB - Hib', 'DPT-VGB-Hib'],
    ['Vắc xin DPT-VGB-Hib (mũi 2)', 'DPT-VGB-Hib'],
    ['DPT-VGB-Hib mũi 3', 'DPT-VGB-Hib'],
    ['Quinvaxem', 'DPT-VGB-Hib'],
    ['ComBE Five', 'DPT-VGB-Hib'],
    ['5 trong 1', 'DPT-VGB-Hib'],
    ['VẮC XIN 5 TRONG 1', 'DPT-VGB-Hib'],
    ['Hexaxim', 'DTaP-IPV-HepB-Hib'],
    ['6 trong 1', 'DTaP-IPV-HepB-Hib'],
    ['Pentaxim', 'DTaP-IPV-Hib'],
    ['Tetraxim', 'DTaP-IPV'],
    ['MR', 'MR'],
    ['MRVAC', 'MR'],
    ['Sởi - Rubella', 'MR'],
    ['soi rubella', 'MR'],
    ['SỞI-RUBELLA (nhắc lại)', 'MR'],
    ['Sởi', 'Measles'],
    ['MVVac', 'Measles'],
    ['MMR II', 'MMR'],
    ['Td', 'Td'],
    ['TD', 'Td'],
    ['Vắc xin uốn ván - bạch hầu hấp phụ (Td)', 'Td'],
    ['Uốn ván - bạch hầu giảm liều', 'Td'],
    ['VAT', 'TT'],
    ['uốn ván', 'TT'],
    ['TT2', 'TT'],
    ['OPV', 'bOPV'],
    ['bOPV lần 3', 'bOPV'],
    ['OPV3', 'bOPV'],
    ['Bại liệt uống', 'bOPV'],
    ['bai liet uong', 'bOPV'],
    ['IPV', 'IPV'],
    ['IPV2', 'IPV'],
    ['Bại liệt tiêm', 'IPV'],
    ['Vắc xin bại liệt (tiêm)', 'IPV'],
    ['BCG', 'BCG'],
    ['lao', 'BCG'],
    ['Vắc xin phòng lao', 'BCG'],
    ['VGB sơ sinh', 'VGB'],
    ['Viêm gan B', 'VGB'],
    ['viem gan b', 'VGB'],
    ['Engerix-B', 'VGB'],
    ['Viêm não Nhật Bản', 'JE'],
    ['VIEM NAO NHAT BAN', 'JE'],
    ['VNNB mũi 1', 'JE'],
    ['VNNB3', 'JE'],
    ['Jevax', 'JE'],
    ['Imojev', 'JE-other'],
    ['Gardasil 9', 'HPV'],
    ['PCV13', 'PCV'],
    ['Rotavin-M1', 'Rota'],
    ['Vitamin A', undefined],
    ['', undefined],
    ['XYZ-123', undefined],
    ['Mũi 2', undefined],
  ];
  for (const [input, want] of cases) {
    it(`"${input}" → ${want ?? 'unknown'}`, () => assert.equal(matchProduct(input)?.id, want));
  }

  it('maps combined products to every antigen they carry', () => {
    assert.deepEqual(antigensOfMask(antigenMask(productById('DPT-VGB-Hib')?.antigens ?? [])), ['hepb', 'diphtheria', 'tetanus', 'pertussis', 'hib']);
    assert.deepEqual(antigensOfMask(antigenMask(productById('MR')?.antigens ?? [])), ['measles', 'rubella']);
    assert.deepEqual(productById('Td')?.antigens, ['diphtheria', 'tetanus']);
  });

  it('reads a record by its antigens, then its code, then its product name', () => {
    assert.equal(recordMask({ antigens: ['measles'], product: 'MR' }), antigenMask(['measles']));
    assert.equal(recordMask({ code: 'BCG', product: 'Sởi' }), antigenMask(['bcg']));
    assert.equal(recordMask({ code: 'zz-unknown', product: 'Sởi' }), antigenMask(['measles']));
    assert.equal(recordMask({ product: 'nước muối' }), 0);
  });

  it('has unique product ids and no alias naming two products', () => {
    assert.equal(new Set(PRODUCTS.map((p) => p.id)).size, PRODUCTS.length);
    for (const p of PRODUCTS) for (const a of p.aliases) assert.equal(matchProduct(a)?.id, p.id, a);
  });
});
