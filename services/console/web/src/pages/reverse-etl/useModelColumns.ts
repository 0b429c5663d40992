import { useQuery } from '@tanstack/react-query';
import type { ModelPreview, ReverseEtlModel } from '../../../../src/api/types';
import { api, wsPath } from '../../api';

/** Every column the preview's rows have, in the order they first appear. */
export function previewColumns(preview: ModelPreview): string[] {
  return [...new Set(preview.rows.flatMap((row) => Object.keys(row)))];
}

/** The cache key of a saved model's columns: a preview of its saved query fills it too. */
export function columnsKey(workspace: string, model: Pick<ReverseEtlModel, 'id' | 'sql' | 'warehouseId'>) {
  return ['retl-columns', workspace, model.id, model.warehouseId, model.sql];
}

/**
 * A saved model's columns, for the connection editor's field sources: read from a preview of its
 * query (one row; the warehouse stops it at the preview's time limit) unless the model editor's
 * preview of the same query gave them already. A query with no rows has no columns to offer.
 */
export function useModelColumns(workspace: string, model: ReverseEtlModel, enabled: boolean) {
  return useQuery({
    queryKey: columnsKey(workspace, model),
    queryFn: async () =>
      previewColumns(
        await api.post<ModelPreview>(wsPath(workspace, 'reverse-etl', 'preview'), {
          warehouse: model.warehouseId,
          sql: model.sql,
          limit: 1,
        }),
      ),
    enabled,
    staleTime: Infinity,
    retry: false,
  });
}
