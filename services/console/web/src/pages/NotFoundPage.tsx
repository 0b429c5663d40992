import { Link } from 'react-router';
import { usePageTitle } from '../components/usePageTitle';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <div className="centered-page">
      <h1>Not found</h1>
      <p>This page does not exist, or it belongs to a workspace you are not a member of.</p>
      <Link to="/">Go to your workspaces</Link>
    </div>
  );
}
