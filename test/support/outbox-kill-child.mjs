// Child process for test/export/kill9.test.ts: appends alerts to an outbox as fast as it can while
// an AlertSender exports them, printing the ids of every append that resolved (is durable), until
// the test kills it with SIGKILL. Plain JS on the compiled dist/ code: `npm test` builds it first.
// Usage: node outbox-kill-child.mjs <outbox dir> <OTLP/HTTP logs URL>
import { Outbox } from '../../dist/src/export/outbox/outbox.js';
import { AlertSender } from '../../dist/src/export/sender/alert-sender.js';
import { OtlpAlertSink } from '../../dist/src/export/sinks/otlp-sink.js';

const [dir, url] = process.argv.slice(2);
const PER_APPEND = 5;

function alert(n) {
  return {
    time: new Date(Date.UTC(2024, 6, 31) + n * 1000).toISOString(),
    observed_time: new Date(Date.UTC(2025, 0, 1) + n).toISOString(),
    severity_text: 'HIGH',
    severity_number: 17,
    body: `Secret read burst #${n}`,
    attributes: { 'security_rule.name': 'secret-read-burst', 'secretwatch.alert.id': `kill-${n}`, 'secretwatch.risk_score': 73 },
  };
}

const outbox = await Outbox.open({ dir, segment_max_bytes: 32 * 1024 });
const sink = OtlpAlertSink.create({ endpoint: url, timeout_millis: 60_000 }, {});
const sender = new AlertSender(outbox, sink, { max_batch_alerts: 40, initial_backoff_millis: 20 });
sender.start();
process.stdout.write(`ready ${outbox.stats.recovered}\n`);
for (let n = 0; ; n += PER_APPEND) {
  const alerts = Array.from({ length: PER_APPEND }, (_, i) => alert(n + i));
  await outbox.append(alerts);
  process.stdout.write(`appended ${alerts.map((a) => a.attributes['secretwatch.alert.id']).join(',')}\n`);
}
