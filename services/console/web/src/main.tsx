import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './api';
import { AccountPage } from './pages/AccountPage';
import { CatalogPage } from './pages/CatalogPage';
import { DeadLettersPage } from './pages/DeadLettersPage';
import { DestinationPage } from './pages/DestinationPage';
import { DestinationsPage } from './pages/DestinationsPage';
import { HomePage } from './pages/HomePage';
import { InvitePage } from './pages/InvitePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ReplaysPage } from './pages/ReplaysPage';
import { ReverseEtlPage } from './pages/reverse-etl/ReverseEtlPage';
import { RequestsPage } from './pages/RequestsPage';
import { SettingsPage } from './pages/SettingsPage';
import { SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { SourcePage } from './pages/SourcePage';
import { SourcesPage } from './pages/SourcesPage';
import { TracePage } from './pages/TracePage';
import { TrackingPlansPage } from './pages/tracking-plans/TrackingPlansPage';
import { WarehousesPage } from './pages/WarehousesPage';
import { WorkspaceLayout } from './components/WorkspaceLayout';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Authorization and validation answers do not change on a retry.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route path="/" element={<HomePage />} />
          <Route path="/setup" element={<SetupPage />} />
          <Route path="/signin" element={<SignInPage />} />
          <Route path="/invite" element={<InvitePage />} />
          <Route path="/account" element={<AccountPage />} />
          <Route path="/:workspace" element={<WorkspaceLayout />}>
            <Route index element={<Navigate to="sources" replace />} />
            <Route path="sources" element={<SourcesPage />} />
            <Route path="sources/:source" element={<SourcePage />} />
            <Route path="destinations" element={<DestinationsPage />} />
            <Route path="destinations/:destination" element={<DestinationPage />} />
            <Route path="destinations/:destination/dead-letters" element={<DeadLettersPage />} />
            <Route path="replays" element={<ReplaysPage />} />
            <Route path="traces" element={<TracePage />} />
            <Route path="traces/:messageId" element={<TracePage />} />
            <Route path="catalog" element={<CatalogPage />} />
            <Route path="warehouses" element={<WarehousesPage />} />
            <Route path="warehouses/:destination" element={<DestinationPage />} />
            <Route path="reverse-etl" element={<ReverseEtlPage />} />
            <Route path="reverse-etl/:model" element={<ReverseEtlPage />} />
            <Route path="tracking-plans" element={<TrackingPlansPage />} />
            <Route path="tracking-plans/:plan" element={<TrackingPlansPage />} />
            <Route path="requests" element={<RequestsPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
