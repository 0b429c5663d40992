import type { DestinationConfig } from '@manifold/config-client';
import { destinationById } from '@manifold/destinations';
import type { Emulator } from '@manifold/emulators';
import { startPipeline, type Pipeline } from './e2e';
import { EMULATOR_SETUPS, emulatorAccessTokens, type EmulatorSetup } from './emulator-setups';
import { destination, snapshot } from './harness';

/** The whole data path to one instance of each destination type (`dest-<type>`), each at its emulator. */
export interface EmulatedPipeline {
  pipeline: Pipeline;
  emulators: Record<string, Emulator>;
  close(): Promise<void>;
}

/** `settings`: per type, settings that replace the emulator setup's (e.g. a batch size). */
export async function startEmulatedPipeline(
  types: readonly string[],
  settings: Record<string, Record<string, unknown>> = {},
): Promise<EmulatedPipeline> {
  const emulators: Record<string, Emulator> = {};
  const instances: DestinationConfig[] = [];
  const setups = new Map<string, EmulatorSetup>();
  for (const type of types) {
    const definition = destinationById(type);
    const setup = EMULATOR_SETUPS[type];
    if (!definition || !setup) throw new Error(`no ${type} destination or emulator`);
    const started = await setup();
    const { emulator } = started;
    setups.set(`dest-${type}`, started);
    emulators[type] = emulator;
    const instanceSettings = { ...started.settings, ...settings[type] };
    instances.push(
      destination({ id: `dest-${type}`, catalogId: type, catalogName: definition.name, settings: instanceSettings }),
    );
  }
  const pipeline = await startPipeline({
    snapshot: snapshot(instances),
    settings: { destinationTypes: [...types] },
    accessTokens: emulatorAccessTokens(setups),
  });
  return {
    pipeline,
    emulators,
    async close() {
      await pipeline.close();
      await Promise.all(Object.values(emulators).map((e) => e.close()));
    },
  };
}
