import { attackTraffic } from './demo-attacks.js';
import { normalTraffic } from './demo-normal.js';
import { demoFiles, type DemoFile } from './demo-files.js';

/**
 * The bundled demo that `secretwatch` (no arguments) and `npm start` replay: three days of normal
 * multi-cloud secret reads with seven attacks on days 2 and 3, as real provider records in their
 * real envelopes. Deterministic: the same bytes on every run (ids and jitter come from seeded
 * PRNGs), so test/scenario/demo.test.ts can check that fixtures/demo/ is exactly this output.
 * The story and the expected alerts are in fixtures/demo/README.md.
 */
export function generateDemo(): DemoFile[] {
  return demoFiles([...normalTraffic(), ...attackTraffic()]);
}
