import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viNumber } from './numbers.ts';

describe('viNumber: Vietnamese number notation', () => {
  it('writes XML 130 decimals with a comma and keeps the decimals sent', () => {
    assert.equal(viNumber('65.12'), '65,12');
    assert.equal(viNumber('5.73'), '5,73');
    assert.equal(viNumber('37.0'), '37,0');
    assert.equal(viNumber('1500'), '1.500');
    assert.equal(viNumber('2500000.50'), '2.500.000,50');
    assert.equal(viNumber('<0.5'), '<0,5');
  });
  it('rounds plain numbers to at most the given decimals, without trailing zeros', () => {
    assert.equal(viNumber(3.9), '3,9');
    assert.equal(viNumber(6.4), '6,4');
    assert.equal(viNumber(0.1 + 0.2), '0,3');
    assert.equal(viNumber(12000), '12.000');
    assert.equal(viNumber(2 / 3, 2), '0,67');
  });
  it('leaves words as they are', () => {
    assert.equal(viNumber('Âm tính'), 'Âm tính');
    assert.equal(viNumber('1.5.2'), '1.5.2');
    assert.equal(viNumber(null), '');
  });
});
