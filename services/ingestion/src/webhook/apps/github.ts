import { isPlainObject } from '@manifold/json';
import { defined, header, idText, objectAt, titleCase, type Translation, type WebhookApp } from '../delivery';
import { verifyGithub } from '../signatures';

// GitHub deliveries: the event's name is the X-GitHub-Event header, its id X-GitHub-Delivery
// (kept when a delivery is sent again). Each becomes a track call of the sender (its numeric id,
// which outlives a renamed login) with what the event says of the repository and the change.

type Payload = Record<string, unknown>;

function repository(payload: Payload): Record<string, unknown> {
  const repo = objectAt(payload, 'repository');
  return defined({ repository: repo['full_name'], repositoryUrl: repo['html_url'], private: repo['private'] });
}

const names = (items: unknown): unknown[] =>
  Array.isArray(items) ? items.map((item) => (isPlainObject(item) ? (item['name'] ?? item['login']) : item)) : [];

/** Per event: its name and properties, or undefined for an action no translation reads. */
const EVENTS: Record<string, (payload: Payload) => { event: string; properties: Record<string, unknown> } | undefined> =
  {
    push(payload) {
      const commits = Array.isArray(payload['commits']) ? payload['commits'] : [];
      return {
        event: 'Push',
        properties: defined({
          ...repository(payload),
          ref: payload['ref'],
          before: payload['before'],
          after: payload['after'],
          created: payload['created'],
          deleted: payload['deleted'],
          forced: payload['forced'],
          compare: payload['compare'],
          pusher: objectAt(payload, 'pusher')['name'],
          commitCount: commits.length,
          commits: commits.map((commit: unknown) => {
            const c = isPlainObject(commit) ? commit : {};
            return defined({
              id: c['id'],
              message: c['message'],
              url: c['url'],
              timestamp: c['timestamp'],
              author: objectAt(c, 'author')['name'],
            });
          }),
        }),
      };
    },
    issues(payload) {
      const issue = objectAt(payload, 'issue');
      return {
        event: `Issue ${titleCase(String(payload['action'] ?? 'changed'))}`,
        properties: defined({
          ...repository(payload),
          action: payload['action'],
          number: issue['number'],
          title: issue['title'],
          body: issue['body'],
          state: issue['state'],
          url: issue['html_url'],
          labels: names(issue['labels']),
          assignees: names(issue['assignees']),
          createdAt: issue['created_at'],
          closedAt: issue['closed_at'] ?? undefined,
        }),
      };
    },
    pull_request(payload) {
      const pr = objectAt(payload, 'pull_request');
      return {
        event: `Pull Request ${titleCase(String(payload['action'] ?? 'changed'))}`,
        properties: defined({
          ...repository(payload),
          action: payload['action'],
          number: pr['number'] ?? payload['number'],
          title: pr['title'],
          body: pr['body'],
          state: pr['state'],
          url: pr['html_url'],
          draft: pr['draft'],
          merged: pr['merged'],
          base: objectAt(pr, 'base')['ref'],
          head: objectAt(pr, 'head')['ref'],
          additions: pr['additions'],
          deletions: pr['deletions'],
          changedFiles: pr['changed_files'],
          labels: names(pr['labels']),
          createdAt: pr['created_at'],
          mergedAt: pr['merged_at'] ?? undefined,
        }),
      };
    },
    star(payload) {
      const action = payload['action'];
      if (action !== 'created' && action !== 'deleted') return undefined;
      return {
        event: action === 'created' ? 'Repository Starred' : 'Repository Unstarred',
        properties: defined({
          ...repository(payload),
          starredAt: payload['starred_at'] ?? undefined,
          stargazers: objectAt(payload, 'repository')['stargazers_count'],
        }),
      };
    },
  };

export const github: WebhookApp = {
  verify: (headers, raw, secret) => verifyGithub(header(headers, 'x-hub-signature-256'), raw, secret),

  translate({ headers, payload }): Translation {
    const kind = header(headers, 'x-github-event') ?? 'unknown';
    const delivery = header(headers, 'x-github-delivery');
    const translated = Object.hasOwn(EVENTS, kind) ? EVENTS[kind]?.(payload) : undefined;
    const sender = objectAt(payload, 'sender');
    const userId = idText(sender['id']);
    if (!translated || !delivery || !userId) return { ignored: kind };
    return {
      calls: [
        {
          type: 'track',
          event: translated.event,
          userId,
          properties: { ...translated.properties, sender: sender['login'] },
          messageId: `github-${delivery}`,
          context: {
            integration: { name: 'github' },
            github: defined({ event: kind, delivery, hookId: header(headers, 'x-github-hook-id') }),
          },
        },
      ],
    };
  },
};
