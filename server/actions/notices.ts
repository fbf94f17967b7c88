// The in-app inbox (workflows.md: overdue steps flagged to the actor and to 市信息办; grant holders told when an entry
// they use changes). A notice is addressed to roles, per agency or across agencies, so it reaches whoever holds the
// duty; each reader marks it read for themselves.

import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { Actor, Role } from '../domain/roles.ts';
import type { Notification } from '../domain/workflow/entities.ts';
import { type Machine, transitionFor } from '../domain/workflow/machine.ts';
import { type ActionContext, defineAction } from './define.ts';
import { paging, readId, readQuery } from './input.ts';

/** The addresses an actor reads: each of their roles in their agency, and across all agencies. */
export function addressesOf(actor: Actor): string[] {
  return actor.roles.flatMap((r) => [`${actor.agencyId}:${r}`, `*:${r}`]);
}

export function address(agencyId: string | '*', ...roles: Role[]): string[] {
  return roles.map((r) => `${agencyId}:${r}`);
}

/**
 * Leaves a notice. Called after the change it tells of was saved: a notice that cannot be written must not undo that
 * change, so a failure is only reported back (callers log it).
 */
export async function notify(ctx: Pick<ActionContext, 'store' | 'now'>, audience: string[], title: string, body: string, link: string): Promise<boolean> {
  if (!audience.length) return true;
  const at = ctx.now().toISOString();
  const record: Notification = {
    id: `note-${at.replace(/\D/g, '')}-${Math.random().toString(36).slice(2, 10)}`, version: 1, audience: [...new Set(audience)], title, body, link, createdAt: at, readBy: [],
  };
  try {
    await ctx.store.notifications.create(record, { userId: 'system:notices', username: 'system' });
    return true;
  } catch {
    return false;
  }
}

/** How many notices the actor has not read (the count beside 消息 on every page). */
export async function unreadCount(store: ActionContext['store'], actor: Actor): Promise<number> {
  const page = await store.notifications.list({ where: { path: 'audience', in: addressesOf(actor) }, sort: [{ path: 'createdAt', dir: 'desc' }], limit: 200 });
  return page.items.filter((n) => !n.readBy.includes(actor.userId)).length;
}

export const listNotices = defineAction({
  name: 'notice.list',
  permission: 'signed-in',
  input: (raw) => readQuery(raw.query, { unread: 'bool', offset: 'int', limit: 'int' }),
  run: async (actor, q, ctx) => {
    const where = { path: 'audience', in: addressesOf(actor!) };
    const page = await ctx.store.notifications.list({ where, sort: [{ path: 'createdAt', dir: 'desc' }], ...paging(q, 200) });
    const items = page.items.map(({ readBy, ...n }) => ({ ...n, read: readBy.includes(actor!.userId) }));
    return { ...page, items: q.unread ? items.filter((n) => !n.read) : items, unread: items.filter((n) => !n.read).length };
  },
});

export const readNotice = defineAction({
  name: 'notice.read',
  permission: 'signed-in',
  input: (raw) => ({ id: readId(raw.params) }),
  run: async (actor, { id }, ctx) => {
    // Two tabs marking at once: retry on the version that won, a few times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const n = await ctx.store.notifications.get(id);
      const mine = new Set(addressesOf(actor!));
      if (!n || !n.audience.some((a) => mine.has(a))) throw new NotFoundError('notice');
      if (n.readBy.includes(actor!.userId)) return { id, read: true };
      try {
        await ctx.store.notifications.update(id, { ...n, readBy: [...n.readBy, actor!.userId] }, n.version, { userId: actor!.userId, username: actor!.username });
        return { id, read: true };
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    throw new ConflictError('请稍后再试', 'try again');
  },
});

/** Tells whoever acts next on a record (the parties of the transitions out of its new state), and the record's owners. */
export async function tellNext<S extends string, E extends string, P extends string, K extends string>(
  ctx: Pick<ActionContext, 'store' | 'now'>,
  machine: Machine<S, E, P, K>,
  record: { state: S; kind: K },
  addressOf: (party: P) => string[],
  owners: string[],
  words: { title: string; events: Record<E, string>; link: string },
): Promise<boolean> {
  const byParty = new Map<P, E[]>();
  for (const e of Object.keys(machine[record.state]) as E[]) {
    const t = transitionFor(machine, record.state, e, record.kind);
    if (t) byParty.set(t.by, [...(byParty.get(t.by) ?? []), e]);
  }
  let ok = true;
  const told = new Set<string>();
  for (const [party, events] of byParty) {
    const audience = addressOf(party);
    audience.forEach((a) => told.add(a));
    ok = (await notify(ctx, audience, words.title, `待您办理:${events.map((e) => words.events[e]).join('、')}`, words.link)) && ok;
  }
  const rest = owners.filter((a) => !told.has(a));
  if (rest.length) ok = (await notify(ctx, rest, words.title, '办理进展已更新', words.link)) && ok;
  return ok;
}
