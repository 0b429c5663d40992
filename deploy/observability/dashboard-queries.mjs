// Prints the queries of a Grafana dashboard as a Prometheus rule file (one recording rule per
// query), for `promtool check rules`. Fails on a file that is not JSON or a panel without queries.
// usage: node dashboard-queries.mjs dashboard.json
import { readFileSync } from 'node:fs';

const dashboard = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rules = [];
for (const panel of dashboard.panels) {
  if (panel.type === 'row') continue;
  if (!panel.targets?.length) throw new Error(`panel "${panel.title}" has no query`);
  for (const target of panel.targets) {
    const expr = target.expr.replaceAll('$__rate_interval', '5m');
    rules.push(`      - record: dashboard:panel_${panel.id}_${target.refId}\n        expr: ${JSON.stringify(expr)}`);
  }
}
process.stdout.write(`groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
