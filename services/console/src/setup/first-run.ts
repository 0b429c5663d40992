import type { Workspace } from '@manifold/proto';
import type { ConsoleContext } from '../server/context';
import { HttpError } from '../server/http-error';
import { normalizeEmail } from '../store/accounts';
import type { AdoptableWorkspace } from '../api/types';

export interface FirstRunRequest {
  email: string;
  password: string;
  /** A new workspace to create, if any. */
  newWorkspace: { slug: string; name: string } | undefined;
  /** Slugs of existing workspaces the first owner takes over. */
  adopt: string[];
}

const PAGE_SIZE = 500;

async function allWorkspaces(context: ConsoleContext): Promise<Workspace[]> {
  const workspaces: Workspace[] = [];
  let pageToken = '';
  do {
    const page = await context.controlPlane.workspaces.listWorkspaces(
      {
        memberEmail: '',
        page: { pageSize: PAGE_SIZE, pageToken, sort: [{ field: 'slug', descending: false }], filters: [] },
      },
      { actor: 'console-setup' },
    );
    workspaces.push(...page.workspaces);
    pageToken = page.page?.nextPageToken ?? '';
  } while (pageToken);
  return workspaces;
}

/** Whether any member (or the owner) of a workspace has a console account: such a workspace is someone's already. */
async function hasAccountHolder(context: ConsoleContext, workspace: Workspace): Promise<boolean> {
  const emails = new Set([workspace.ownerEmail, ...workspace.members.map((m) => m.email)].map(normalizeEmail));
  for (const email of emails) {
    if (email && (await context.stores.accounts.exists(email))) return true;
  }
  return false;
}

/**
 * The workspaces first-run setup may hand to the first owner: only while the console has no
 * account at all, and only workspaces none of whose members has one.
 */
export async function adoptableWorkspaces(context: ConsoleContext): Promise<AdoptableWorkspace[]> {
  if (await context.stores.accounts.firstRunDone()) return [];
  const adoptable: AdoptableWorkspace[] = [];
  for (const workspace of await allWorkspaces(context)) {
    if (!(await hasAccountHolder(context, workspace))) adoptable.push({ slug: workspace.slug, name: workspace.name });
  }
  return adoptable;
}

/**
 * First run: the first owner's account, with a new workspace and/or the existing workspaces they
 * take over (becoming their owner; the members already listed stay). Exactly one caller gets to do
 * this (a unique claim in MongoDB); when a step fails, the claim is given back so it can be retried.
 * Returns the workspace to open first: the first one taken over (it has the sources), else the new one.
 */
export async function runFirstRun(context: ConsoleContext, request: FirstRunRequest): Promise<string> {
  const { stores, controlPlane } = context;
  const email = normalizeEmail(request.email);
  if (!request.newWorkspace && request.adopt.length === 0) {
    throw new HttpError(400, 'invalid_argument', 'create a workspace or take over an existing one', [
      { field: 'workspaceName', message: 'name a workspace, or choose one to take over' },
    ]);
  }
  if (!(await stores.accounts.claimFirstRun(email))) {
    throw new HttpError(409, 'already_exists', 'this console is set up already: sign in instead');
  }
  try {
    for (const slug of new Set(request.adopt)) await adopt(context, slug, email);
    if (request.newWorkspace) {
      await controlPlane.workspaces.createWorkspace(
        {
          slug: request.newWorkspace.slug,
          name: request.newWorkspace.name,
          ownerEmail: email,
          members: [{ email, role: 'owner' }],
        },
        { actor: email },
      );
    }
    await stores.accounts.create(email, request.password);
  } catch (error) {
    await stores.accounts.releaseFirstRun();
    throw error;
  }
  const opened = request.adopt[0] ?? request.newWorkspace!.slug;
  context.logger.info({ email, created: request.newWorkspace?.slug, adopted: request.adopt }, 'first owner set up');
  return opened;
}

async function adopt(context: ConsoleContext, slug: string, email: string): Promise<void> {
  const refuse = () =>
    new HttpError(400, 'invalid_argument', `the workspace ${slug} cannot be taken over`, [
      { field: 'adopt', message: `${slug} does not exist or belongs to a console account already` },
    ]);
  let workspace: Workspace;
  try {
    workspace = await context.controlPlane.workspaces.getWorkspace({ workspace: slug }, { actor: email });
  } catch {
    throw refuse();
  }
  // The claim is held, so no account can appear meanwhile except through this setup.
  if (workspace.slug !== slug || (await hasAccountHolder(context, workspace))) throw refuse();
  const others = workspace.members.filter((m) => normalizeEmail(m.email) !== email);
  await context.controlPlane.workspaces.updateWorkspace(
    {
      workspace: workspace.id,
      ownerEmail: email,
      updateMembers: true,
      members: [{ email, role: 'owner' }, ...others],
    },
    { actor: email },
  );
  context.logger.info({ email, workspace: slug }, 'first owner took over a workspace made outside the console');
}
