import { Detector } from '../../detectors/detector.js';
import { defaultRulesDir, loadRules } from '../../detectors/ruleset/load-rules.js';
import { formatRuleTestFailures, runRuleTests } from '../../detectors/ruleset/run-rule-tests.js';

/**
 * `secretwatch rules test`: every rule's inline tests against the real Detector, one line per
 * rule, failures spelled out. Returns 0 when all pass, 1 otherwise.
 */
export async function runRulesTest(rulesDir: string | undefined): Promise<number> {
  const dir = rulesDir ?? defaultRulesDir();
  const rules = loadRules(dir);
  const results = runRuleTests(rules, (options) => new Detector(options));
  for (const rule of rules) {
    const own = results.filter((r) => r.rule === rule.spec.id);
    const failed = own.filter((r) => !r.passed).length;
    process.stdout.write(`${failed === 0 ? 'ok  ' : 'FAIL'} ${rule.spec.id} (${own.length - failed}/${own.length} tests)\n`);
  }
  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) process.stdout.write(`\n${formatRuleTestFailures(failed)}\n`);
  process.stdout.write(`\n${results.length - failed.length} passed, ${failed.length} failed (${rules.length} rules in ${dir})\n`);
  return failed.length === 0 ? 0 : 1;
}
