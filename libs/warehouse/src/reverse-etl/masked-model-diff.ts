import type { SecretMasker } from '@manifold/secrets';
import { ModelRunError, type ModelDiffEngine } from './model-diff';

/**
 * A model diff whose errors are masked with the warehouse's credentials: a ModelRunError quotes
 * the warehouse's own message (which may quote a connection URL), and it goes into run records.
 */
export function maskedModelDiff(models: ModelDiffEngine, masker: SecretMasker): ModelDiffEngine {
  const masked = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      if (error instanceof ModelRunError) throw new ModelRunError(error.code, masker.text(error.message));
      throw error;
    }
  };
  return {
    prepare: (model, options) => masked(models.prepare(model, options)),
    hasPrepared: (modelId) => masked(models.hasPrepared(modelId)),
    readChanges: (modelId, afterKey, limit) => masked(models.readChanges(modelId, afterKey, limit)),
    promote: (modelId) => masked(models.promote(modelId)),
    discard: (modelId) => masked(models.discard(modelId)),
    reset: (modelId) => masked(models.reset(modelId)),
    preview: (sql, limit, options) => masked(models.preview(sql, limit, options)),
  };
}
