import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Detector, type DetectorSnapshot } from '../../detectors/detector.js';
import { loadRules } from '../../detectors/ruleset/load-rules.js';
import { FIXTURES_DIR } from '../support/fixture-files.js';
import { event } from './engines/events.js';

// fixtures/state/format-v3: a detector snapshot written by the build before exact windows (sketch
// format 3, windowed count-min / distinct / Bloom engines) for three built-in rules with small
// sketches, taken after 20 reads. Made once with that build's Detector.snapshot().
const dir = `${FIXTURES_DIR}/state/format-v3`;

function oldSnapshot(): DetectorSnapshot {
  const raw = JSON.parse(gunzipSync(readFileSync(`${dir}/detector-snapshot.json.gz`)).toString('utf8')) as {
    version: 1;
    rules: (Omit<DetectorSnapshot['rules'][number], 'engine'> & { engine: string })[];
  };
  return { version: raw.version, rules: raw.rules.map((r) => ({ ...r, engine: new Uint8Array(Buffer.from(r.engine, 'base64')) })) };
}

describe('state written before exact windows', () => {
  it('is refused as incompatible: every windowed rule starts fresh, with the reason, and scoring goes on', () => {
    const rules = loadRules(`${dir}/rules`);
    const detector = new Detector({ rules, clock: () => Date.UTC(2026, 0, 6) });
    const result = detector.restore(oldSnapshot());
    expect(result.restored).toEqual([]);
    expect(result.fresh.map((f) => f.id).sort()).toEqual(['cross_cloud_secret_access', 'secret_access_spike', 'secret_enumeration']);
    for (const f of result.fresh) expect(f.reason).toMatch(/another configuration/);
    // Fresh state: the 20 reads of the old state are not there; 51 new reads alert once.
    const T0 = Date.UTC(2026, 0, 5, 13);
    let alerts = 0;
    for (let i = 0; i < 51; i++) alerts += detector.process(event({ at: T0 + i * 1000, principal: 'arn:aws:iam::1:role/a', secrets: ['s'] })).length;
    expect(alerts).toBe(1);
  });
});
