import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation, useParams } from 'react-router';
import type { Workspace } from '../../../src/api/types';
import { api, ApiError, wsPath } from '../api';
import { NotFoundPage } from '../pages/NotFoundPage';
import { AUTH_QUERY_KEY, useAuth } from '../session';

const WorkspaceContext = createContext<Workspace | null>(null);

/** The workspace of the current page, with the signed-in user's role in it. */
export function useWorkspace(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside a workspace page');
  return workspace;
}

export function useCanWrite(): boolean {
  return useWorkspace().role !== 'read-only';
}

export function SignOutButton() {
  const queryClient = useQueryClient();
  return (
    <button
      className="link-button"
      onClick={async () => {
        await api.post('/auth/signout');
        queryClient.clear();
        await queryClient.invalidateQueries({ queryKey: AUTH_QUERY_KEY });
        window.location.assign('/signin');
      }}
    >
      Sign out
    </button>
  );
}

/**
 * The navigation drawer of narrow screens: open from the Menu button, closed by choosing a page,
 * by Escape (focus back on the button) or by a tap beside it. Wide screens always show the sidebar.
 */
function useNavDrawer(pathname: string) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  // Read by the listener below, which is there from the start, so an Escape right after opening counts.
  const isOpen = useRef(open);
  isOpen.current = open;
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || !isOpen.current) return;
      isOpen.current = false;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return { open, setOpen, button };
}

export function WorkspaceLayout() {
  const { workspace: slug = '' } = useParams();
  const location = useLocation();
  const auth = useAuth();
  const drawer = useNavDrawer(location.pathname);
  const workspace = useQuery({
    queryKey: ['workspace', slug],
    queryFn: () => api.get<Workspace>(wsPath(slug)),
    enabled: !!auth.data?.user,
  });
  if (auth.isPending) return <p className="loading">Loading…</p>;
  if (!auth.data?.user) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname)}`} replace />;
  if (workspace.error instanceof ApiError && workspace.error.status === 404) return <NotFoundPage />;
  if (workspace.error) return <p className="error">{workspace.error.message}</p>;
  if (!workspace.data) return <p className="loading">Loading…</p>;
  const ws = workspace.data;
  const nav = [
    ['sources', 'Sources'],
    ['destinations', 'Destinations'],
    ['warehouses', 'Warehouses'],
    ['reverse-etl', 'Reverse ETL'],
    ['tracking-plans', 'Tracking plans'],
    ['replays', 'Replays'],
    ['traces', 'Event trace'],
    ['catalog', 'Catalog'],
    ['requests', 'Requests'],
    ['settings', 'Settings'],
  ] as const;
  return (
    <WorkspaceContext.Provider value={ws}>
      <div className={`shell${drawer.open ? ' nav-open' : ''}`}>
        <header className="topbar">
          <button
            ref={drawer.button}
            className="menu-button"
            aria-expanded={drawer.open}
            aria-controls="sidebar"
            onClick={() => drawer.setOpen(!drawer.open)}
          >
            Menu
          </button>
          <span className="topbar-workspace">{ws.name}</span>
        </header>
        {drawer.open ? <div className="nav-backdrop" onClick={() => drawer.setOpen(false)} /> : null}
        <aside className="sidebar" id="sidebar" aria-label="Workspace navigation">
          <Link to="/" className="brand">
            <img src="/favicon.svg" alt="" width={22} height={22} /> Manifold
          </Link>
          <div className="workspace-name" title={ws.slug}>
            {ws.name}
            <span className={`role role-${ws.role}`}>{ws.role}</span>
          </div>
          <nav>
            {nav.map(([path, label]) => (
              <NavLink key={path} to={`/${ws.slug}/${path}`}>
                {label}
              </NavLink>
            ))}
          </nav>
          <div className="sidebar-footer">
            <Link to="/account">{auth.data.user.email}</Link>
            <SignOutButton />
          </div>
        </aside>
        <main className="content">
          <Outlet />
        </main>
      </div>
    </WorkspaceContext.Provider>
  );
}
