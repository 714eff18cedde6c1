import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spaRoute, staffPageOf } from './app-routes.ts';

describe('single-page app addresses', () => {
  it('knows each app’s screens', () => {
    for (const p of ['/', '/luot-kham', '/luot-kham/17', '/ai-da-xem', '/chia-se/abc_DEF-1', '/verify', '/cai-dat', '/lich-hen', '/thong-bao']) assert.deepEqual(spaRoute(p), { page: 'index.html', known: true }, p);
    for (const p of ['/nhan-vien', '/nhan-vien/', '/nhan-vien/nhan-su', '/nhan-vien/bao-cao', '/nhan-vien/lich-hen']) assert.deepEqual(spaRoute(p), { page: 'staff.html', known: true }, p);
    for (const p of ['/tram-y-te', '/tram-y-te/', '/tram-y-te/nguoi/P0001/kham', '/tram-y-te/ho/12/su-kien', '/tram-y-te/dong-bo/']) assert.deepEqual(spaRoute(p), { page: 'station.html', known: true }, p);
  });
  it('marks any other address unknown, in the app its prefix belongs to', () => {
    assert.deepEqual(spaRoute('/khong-co'), { page: 'index.html', known: false });
    assert.deepEqual(spaRoute('/luot-kham/abc'), { page: 'index.html', known: false });
    assert.deepEqual(spaRoute('/nhan-vien-x'), { page: 'index.html', known: false });
    assert.deepEqual(spaRoute('/nhan-vien/khong-co'), { page: 'staff.html', known: false });
    assert.deepEqual(spaRoute('/tram-y-te/khong-co'), { page: 'station.html', known: false });
    assert.equal(staffPageOf('/nhan-vien/ra-soat'), 'ra-soat');
  });
});
