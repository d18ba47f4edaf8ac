import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../bench/gen/demo.js';
import type { Alert } from '../../detectors/alerts/alert.js';
import { Detector } from '../../detectors/detector.js';
import { defaultRulesDir, loadRules } from '../../detectors/ruleset/load-rules.js';
import { expandInputs } from '../../src/input/walk.js';
import { replay, type ReplaySummary } from '../../src/replay/replay.js';
import { repoRoot } from '../support/cli.js';
import { DEMO_PROVIDER_DIRS, EXPECTED_DEMO_ALERTS, alertKey } from './demo-expected.js';

/**
 * The bundled demo, replayed through the real pipeline (file walk, decoder, normalizers, event-time
 * merge, reorder buffer, every shipped rule with its learning period): exactly the attacks told in
 * fixtures/demo/README.md raise alerts, and three days of normal traffic raise none.
 */
const DEMO = join(repoRoot, 'fixtures', 'demo');
const CLOCK_MS = Date.parse('2026-11-05T00:30:00.000Z');
const MINUTE_MS = 60_000;

let alerts: Alert[] = [];
let summary: ReplaySummary;
let detector: Detector;

beforeAll(async () => {
  const refs = await expandInputs(
    DEMO_PROVIDER_DIRS.map((d) => join(DEMO, d)),
    (path, err) => {
      throw new Error(`${path}: ${err.message}`);
    },
  );
  // The defaults of the configuration file: learning 'auto', 15 minutes of lateness and reordering.
  detector = new Detector({ rules: loadRules(defaultRulesDir()), clock: () => CLOCK_MS, allowedLatenessMs: 15 * MINUTE_MS });
  alerts = [];
  summary = await replay(refs, detector, {
    reorderHorizonMs: 15 * MINUTE_MS,
    reorderCapacity: 200_000,
    prescanCacheEvents: 2_000_000,
    onAlerts: (batch) => {
      alerts.push(...batch);
    },
  });
});

describe('the bundled demo (fixtures/demo)', () => {
  it('raises exactly the alerts of the seven attacks, and none for normal traffic', () => {
    const got = alerts.map((a) => [
      String(a.attributes['security_rule.name']),
      String(a.attributes['user.id']),
      String(a.attributes['client.address'] ?? '-'),
      a.time,
    ]);
    const byTime = (x: readonly string[], y: readonly string[]): number => (x[3]! < y[3]! ? -1 : x[3]! > y[3]! ? 1 : x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0);
    expect(got.sort(byTime)).toEqual(EXPECTED_DEMO_ALERTS.map((a) => [...a]).sort(byTime));
    expect(summary.alerts).toBe(EXPECTED_DEMO_ALERTS.length);
  });

  it('emits alerts in event-time order, stamped with the injected clock', () => {
    const times = alerts.map((a) => a.time);
    expect(times).toEqual([...times].sort());
    expect(new Set(alerts.map((a) => a.observed_time))).toEqual(new Set([new Date(CLOCK_MS).toISOString()]));
    expect(new Set(alerts.map(alertKey)).size).toBe(alerts.length);
  });

  it('decodes every record: three clouds, no rejection, nothing unrelated, nothing late', () => {
    expect(summary.stats.rejected).toBe(0);
    expect(summary.stats.unrelatedCount).toBe(0);
    expect(summary.events).toBe(summary.stats.events);
    expect(Object.fromEntries(summary.stats.eventsByProvider)).toEqual({ aws: 1203, gcp: 312, azure: 317 });
    expect(new Date(summary.firstEventMs ?? 0).toISOString().slice(0, 10)).toBe('2026-11-02');
    expect(new Date(summary.lastEventMs ?? 0).toISOString().slice(0, 10)).toBe('2026-11-04');
    // Late-delivered CloudTrail records are put back in order: no engine sees an event as late.
    for (const [rule, stats] of Object.entries(detector.stats())) expect([rule, stats.engine.late_events]).toEqual([rule, 0]);
    expect(summary.reorderForced).toBe(0);
  });

  it('is the output of bench/gen/demo.ts, file for file', () => {
    const generated = generateDemo();
    const onDisk = DEMO_PROVIDER_DIRS.flatMap((d) => listFiles(join(DEMO, d))).map((p) => relative(DEMO, p)).sort();
    expect(onDisk).toEqual(generated.map((f) => f.path).sort());
    for (const file of generated) {
      const disk = readFileSync(join(DEMO, file.path));
      // gzip bytes depend on the zlib build; what must match is what they hold.
      if (file.path.endsWith('.gz')) expect([file.path, gunzipSync(disk).equals(gunzipSync(file.bytes))]).toEqual([file.path, true]);
      else expect([file.path, disk.equals(file.bytes)]).toEqual([file.path, true]);
    }
  });

  it('stays small enough to ship in the package', () => {
    const bytes = generateDemo().reduce((n, f) => n + f.bytes.length, 0);
    expect(bytes).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('documents every expected alert in fixtures/demo/README.md', () => {
    const readme = readFileSync(join(DEMO, 'README.md'), 'utf8');
    for (const [rule, user, address, time] of EXPECTED_DEMO_ALERTS) {
      const row = readme.split('\n').find((line) => line.includes(`\`${rule}\``) && line.includes(time.slice(0, 19).replace('T', ' ')));
      expect(row, `README row for ${rule} at ${time}`).toBeDefined();
      expect(row).toContain(address);
      expect(row).toContain(user.includes(':role/') || user.includes(':user/') ? user.slice(user.lastIndexOf('/') + 1) : user);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
