import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** A minimal valid rule as a plain object, for tests that write rule files. */
export function minimalRule(id: string, uuid = '0b7cf5a5-54d1-4a2b-9a53-a8e6f2b0c1d4'): Record<string, unknown> {
  return {
    id,
    uuid,
    title: 'Test rule',
    description: 'A rule for loader tests.',
    severity: 'medium',
    risk_score: 47,
    version: 1,
    category: 'credential_access',
    mitre: {
      tactic: { id: 'TA0006', name: 'Credential Access' },
      technique: { id: 'T1555.006', name: 'Cloud Secrets Management Stores' },
    },
    references: ['https://attack.mitre.org/techniques/T1555/006/'],
    false_positives: ['none known'],
    triage: '1. look\n2. decide\n3. act\n4. record',
    match: { action: 'read', outcome: 'success' },
    engine: { type: 'match' },
    tests: [
      { name: 'fires', events: [{}], expect: [{ at_event: 0 }] },
      { name: 'quiet', events: [{ outcome: 'failure' }], expect: [] },
    ],
  };
}

/** A fresh temporary folder holding the given files (name -> object written as YAML, or raw text). */
export function ruleDir(files: Record<string, Record<string, unknown> | string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'secretwatch-rules-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : stringify(content));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
