export { startReverseEtlRunner, type ReverseEtlRunner, type ReverseEtlRunnerOptions } from './reverse-etl-runner';
export { runModel, type ModelRunDeps } from './model-run';
export { startRunDeliveriesConsumer, type RunDeliveriesConsumerOptions } from './run-deliveries-consumer';
