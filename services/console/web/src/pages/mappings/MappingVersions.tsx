import { useMutation, useQuery } from '@tanstack/react-query';
import type { DestinationMappingVersion } from '../../../../src/api/types';
import { api, formatTime } from '../../api';
import { ErrorNotice } from '../../components/FormField';
import { Loading } from '../../components/Loading';

export interface SavedMappings {
  mappings: DestinationMappingVersion['mappings'];
  version: number;
}

/** Every saved version of the mappings (who, when, why, what changed), each one restorable. */
export function MappingVersions(props: {
  path: string;
  current: number;
  canWrite: boolean;
  onRestored(saved: SavedMappings): void;
}) {
  const versions = useQuery({
    queryKey: ['mapping-versions', props.path, props.current],
    queryFn: () => api.get<{ versions: DestinationMappingVersion[] }>(`${props.path}/versions`),
  });
  const rollback = useMutation({
    mutationFn: (version: number) =>
      api.post<SavedMappings>(`${props.path}/rollback`, { version, comment: `rolled back to version ${version}` }),
    onSuccess: props.onRestored,
  });
  return (
    <details className="mapping-versions">
      <summary>Version history</summary>
      <ErrorNotice error={versions.error ?? rollback.error} />
      {versions.data ? (
        <ol className="version-list" aria-label="Versions">
          {versions.data.versions.map((v) => (
            <li key={v.version} data-version={v.version}>
              <div className="actions">
                <strong>Version {v.version}</strong>
                {v.version === props.current ? <span className="badge badge-enabled">current</span> : null}
                <span className="muted">
                  {formatTime(v.changedAt)} by {v.changedBy}
                </span>
                {props.canWrite && v.version !== props.current ? (
                  <button
                    type="button"
                    disabled={rollback.isPending}
                    onClick={() => {
                      if (window.confirm(`Make version ${v.version} current again? It is saved as a new version.`)) {
                        rollback.mutate(v.version);
                      }
                    }}
                  >
                    Roll back to version {v.version}
                  </button>
                ) : null}
              </div>
              {v.comment ? <p className="wrap-anywhere">{v.comment}</p> : null}
              {v.diff.length > 0 ? (
                <ul className="version-diff">
                  {v.diff.map((line, i) => (
                    <li key={i} className="wrap-anywhere">
                      {line}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ol>
      ) : versions.isLoading ? (
        <Loading what="the versions" />
      ) : null}
    </details>
  );
}
