import type { Meter } from '@manifold/telemetry';
import type { Store } from './store/store';

/**
 * `manifold_control_plane_sources_auto_disable_pending`: enabled sources whose owner was warned
 * that they will be disabled (no enabled destination). Counted in MongoDB when metrics are
 * collected; every replica reports the same figure.
 */
export function registerControlPlaneMetrics(meter: Meter, store: Store): void {
  meter
    .createObservableGauge('manifold_control_plane_sources_auto_disable_pending', {
      description: 'Enabled sources warned that they will be disabled for having no enabled destination',
    })
    .addCallback(async (result) => {
      const pending = await store.sources.countDocuments({ enabled: true, autoDisableWarnedAt: { $ne: null } });
      result.observe(pending);
    });
}
