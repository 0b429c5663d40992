import { parser } from '@prometheus-io/lezer-promql';

/** A metric a query selects: by name, or by a `__name__` matcher. */
export type MetricSelector = { name: string } | { nameMatches: RegExp };

/**
 * The metrics a PromQL expression reads, with Prometheus's own grammar (the one its UI uses).
 * Throws on an expression the grammar does not accept.
 */
export function metricSelectors(expr: string): MetricSelector[] {
  const tree = parser.parse(expr);
  const selectors: MetricSelector[] = [];
  const text = (node: { from: number; to: number }): string => expr.slice(node.from, node.to);
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) throw new Error(`not valid PromQL at ${ref.from}: ${expr}`);
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const identifier = node.getChild('Identifier');
      if (identifier) {
        selectors.push({ name: text(identifier) });
        return;
      }
      for (const matcher of node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp');
        const value = matcher.getChild('StringLiteral');
        if (!label || !op || !value || text(label) !== '__name__') continue;
        const literal = JSON.parse(text(value)) as string;
        selectors.push(text(op) === '=~' ? { nameMatches: new RegExp(`^(?:${literal})$`) } : { name: literal });
      }
    },
  });
  return selectors;
}
