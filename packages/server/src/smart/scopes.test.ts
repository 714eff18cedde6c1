import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantScopes, parseScope, scopeAllows } from './scopes.ts';

describe('SMART scopes', () => {
  it('parses v1 and v2 forms and refuses malformed ones', () => {
    assert.deepEqual(parseScope('patient/Observation.read'), { context: 'patient', type: 'Observation', read: true, search: true, v1: true });
    assert.deepEqual(parseScope('system/*.rs'), { context: 'system', type: '*', read: true, search: true, v1: false });
    assert.deepEqual(parseScope('patient/Patient.r'), { context: 'patient', type: 'Patient', read: true, search: false, v1: false });
    for (const bad of ['patient/Observation.', 'patient/observation.rs', 'patient/Observation.rs?category=laboratory', 'patient/Observation.sr', 'openid']) {
      assert.equal(parseScope(bad), null, bad);
    }
  });

  it('grants at most what the registration allows, narrowed to read and search', () => {
    const allowed = ['launch/patient', 'patient/*.rs'];
    assert.deepEqual(grantScopes(['launch/patient', 'patient/*.rs', 'openid', 'offline_access'], allowed, 'patient'), ['launch/patient', 'patient/*.rs']);
    assert.deepEqual(grantScopes(['patient/Observation.cruds', 'patient/Encounter.write', 'patient/Patient.*'], allowed, 'patient'), ['patient/Observation.rs', 'patient/Patient.read']);
    assert.deepEqual(grantScopes(['system/*.rs', 'user/*.rs'], allowed, 'patient'), [], 'other contexts are never granted');
    assert.deepEqual(grantScopes(['patient/Encounter.rs'], ['patient/Observation.rs'], 'patient'), [], 'a type the app may not read');
    assert.deepEqual(grantScopes(['patient/Observation.read'], ['patient/Observation.r'], 'patient'), ['patient/Observation.r'], 'a narrowed v1 scope is said in v2');
  });

  it('allows a type only with the permission asked', () => {
    const granted = ['patient/Observation.r', 'patient/Encounter.rs'];
    assert.ok(scopeAllows(granted, 'Observation', 'read'));
    assert.ok(!scopeAllows(granted, 'Observation', 'search'));
    assert.ok(!scopeAllows(granted, 'Patient', 'read'));
    assert.ok(!scopeAllows(granted, '*', 'read'), 'an every-type operation needs a * scope');
    assert.ok(scopeAllows(['patient/*.read'], '*', 'read'));
  });
});
