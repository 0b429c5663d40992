import { metricSelectors } from './promql-metric-names';

describe('metricSelectors', () => {
  it('finds the metrics a query reads, by name and by __name__ pattern, not functions or labels', () => {
    expect(
      metricSelectors(
        'sum by (le, route) (rate(a_seconds_bucket{status=~"5.."}[5m])) / on (route) group_left b_total > 0 and c',
      ),
    ).toEqual([{ name: 'a_seconds_bucket' }, { name: 'b_total' }, { name: 'c' }]);
    const [byPattern] = metricSelectors('rate({__name__=~"manifold_.+_cpu_seconds_total", mode="user"}[1m])');
    expect(byPattern && 'nameMatches' in byPattern && byPattern.nameMatches.test('manifold_x_cpu_seconds_total')).toBe(
      true,
    );
    expect(metricSelectors('min_over_time((sum by (g) (lag))[1h:1m] offset 1h)')).toEqual([{ name: 'lag' }]);
  });

  it('refuses what is not PromQL', () => {
    expect(() => metricSelectors('sum(rate(x[5m]) by (a')).toThrow(/not valid PromQL/);
  });
});
