export { runService, type RunServiceOptions, type ServiceContext, type RunningService } from './run-service';
export { ReadinessRegistry, type ReadinessCheck, type ReadinessReport } from './readiness';
