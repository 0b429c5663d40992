import type { ModelSchedule, ReverseEtlConnection, ReverseEtlModel } from '@manifold/proto';
import type { Problem } from './load-spec';
import type { Step } from './plan';
import { done, removal } from './steps';
import type { ModelConnectionSpec, ModelSpec, SpecParts } from './workspace-spec';
import type { WorkspaceState } from './workspace-state';

// The Reverse ETL part of `manifold apply`: models by name, and within a model its connections by
// destination and action. Runs after the destinations' steps, so a model can use a warehouse and
// destinations the same file creates.

const scheduleOf = (want: ModelSpec): ModelSchedule => ({
  intervalSeconds: want.schedule && 'interval' in want.schedule ? want.schedule.interval : 0,
  cron: want.schedule && 'cron' in want.schedule ? want.schedule.cron : '',
});

const modelFields = (workspace: string, want: ModelSpec) => ({
  workspace,
  name: want.name,
  sql: want.sql,
  identifierColumn: want.identifier,
  schedule: scheduleOf(want),
  enabled: want.enabled,
  startFromNow: want.startFromNow,
});

const connectionFields = (want: ModelConnectionSpec) => ({
  changeKinds: want.changes,
  action: want.action,
  fields: want.fields as Record<string, unknown>,
  enabled: want.enabled,
  rowsPerSecond: want.rowsPerSecond,
});

/** The model fields a file sets that differ from the control plane's. */
function modelChanges(have: ReverseEtlModel, want: ModelSpec): string[] {
  const schedule = scheduleOf(want);
  const changes: string[] = [];
  if (have.sql !== want.sql) changes.push('sql');
  if (have.identifierColumn !== want.identifier) changes.push('identifier');
  if (
    (have.schedule?.intervalSeconds ?? 0) !== schedule.intervalSeconds ||
    (have.schedule?.cron ?? '') !== schedule.cron
  )
    changes.push('schedule');
  if (have.enabled !== want.enabled) changes.push('enabled');
  if (have.startFromNow !== want.startFromNow) changes.push('startFromNow');
  return changes;
}

function connectionChanges(have: ReverseEtlConnection, want: ModelConnectionSpec): string[] {
  const changes: string[] = [];
  if ([...have.changeKinds].sort().join() !== [...want.changes].sort().join()) changes.push('changes');
  if (JSON.stringify(have.fields ?? {}) !== JSON.stringify(want.fields)) changes.push('fields');
  if (have.enabled !== want.enabled) changes.push('enabled');
  if (have.rowsPerSecond !== want.rowsPerSecond) changes.push('rowsPerSecond');
  return changes;
}

export function planModels(
  workspace: string,
  parts: SpecParts,
  state: WorkspaceState,
  prune: boolean,
): { steps: Step[]; problems: Problem[] } {
  const steps: Step[] = [];
  const problems: Problem[] = [];
  const destinationName = new Map(state.destinations.map((d) => [d.id, d.name]));
  const seen = new Set<string>();

  parts.models.forEach((want, i) => {
    if (!want) return;
    const path = ['models', i];
    if (seen.has(want.name)) {
      problems.push({ path: [...path, 'name'], message: `model ${want.name} is listed twice` });
      return;
    }
    seen.add(want.name);
    const keys = want.connections.map((w) => `${w.destination} ${w.action}`);
    const twice = keys.findIndex((k, j) => keys.indexOf(k) !== j);
    if (twice >= 0) {
      problems.push({
        path: [...path, 'connections', twice],
        message: `model ${want.name} connects to ${want.connections[twice]!.destination} with ${want.connections[twice]!.action} twice`,
      });
      return;
    }
    const have = state.models.find((m) => m.model.name === want.name);
    if (!have) {
      steps.push({
        description: `+ create model ${want.name} (${want.warehouse})`,
        path,
        run: async (c) => {
          const created = await c.reverseEtl.createModel({
            ...modelFields(workspace, want),
            warehouse: want.warehouse,
          });
          for (const connection of want.connections) {
            await c.reverseEtl.createConnection({
              workspace,
              model: created.id,
              destination: connection.destination,
              ...connectionFields(connection),
            });
          }
          return undefined;
        },
      });
      return;
    }
    const warehouse = destinationName.get(have.model.warehouseId) ?? have.model.warehouseId;
    if (warehouse !== want.warehouse && have.model.warehouseId !== want.warehouse) {
      problems.push({
        path: [...path, 'warehouse'],
        message: `model ${want.name} runs in ${warehouse} and cannot move to ${want.warehouse}; create a new model`,
      });
      return;
    }
    const changes = modelChanges(have.model, want);
    if (changes.length > 0) {
      steps.push({
        description: `~ update model ${want.name}: ${changes.join(', ')}`,
        path,
        run: (c) => done(c.reverseEtl.updateModel({ ...modelFields(workspace, want), model: have.model.id })),
      });
    }
    const haveKey = (c: ReverseEtlConnection) =>
      `${destinationName.get(c.destinationId) ?? c.destinationId} ${c.action}`;
    want.connections.forEach((wanted, j) => {
      const current = have.connections.find((c) => haveKey(c) === keys[j]);
      const what = `${want.name} -> ${wanted.destination} (${wanted.action})`;
      if (!current) {
        steps.push({
          description: `+ connect model ${what}`,
          path: [...path, 'connections', j],
          run: (c) =>
            done(
              c.reverseEtl.createConnection({
                workspace,
                model: have.model.id,
                destination: wanted.destination,
                ...connectionFields(wanted),
              }),
            ),
        });
        return;
      }
      const changed = connectionChanges(current, wanted);
      if (changed.length > 0) {
        steps.push({
          description: `~ update model connection ${what}: ${changed.join(', ')}`,
          path: [...path, 'connections', j],
          run: (c) =>
            done(
              c.reverseEtl.updateConnection({
                workspace,
                model: have.model.id,
                connection: current.id,
                ...connectionFields(wanted),
              }),
            ),
        });
      }
    });
    for (const extra of have.connections.filter((c) => !keys.includes(haveKey(c)))) {
      steps.push(
        removal(prune, `model connection ${want.name} -> ${haveKey(extra)}`, (c) =>
          c.reverseEtl.deleteConnection({ workspace, model: have.model.id, connection: extra.id }),
        ),
      );
    }
  });

  for (const extra of state.models.filter((m) => !seen.has(m.model.name))) {
    steps.push(
      removal(prune, `model ${extra.model.name}`, (c) =>
        c.reverseEtl.deleteModel({ workspace, model: extra.model.id }),
      ),
    );
  }
  return { steps, problems };
}
