import type { IncomingMessage } from 'node:http';

/** The request as an admin route sees it on Express or Fastify. */
export type AdminRequest = IncomingMessage & {
  ip?: string;
  originalUrl?: string;
  raw?: IncomingMessage;
  /** Set by the admin guard: who is acting. */
  adminActor?: string;
  /** Set by the app's own guard, if it authenticates users (Passport and the like). */
  user?: unknown;
};

/** The actor an app guard left on the request: `user.username`, `.email`, `.id` or `.sub`, else `guard`. */
export function actorFromUser(user: unknown): string {
  if (user && typeof user === 'object') {
    for (const field of ['username', 'email', 'name', 'id', 'sub']) {
      const value = (user as Record<string, unknown>)[field];
      if ((typeof value === 'string' && value.length > 0) || typeof value === 'number')
        return String(value).slice(0, 128);
    }
  }
  return 'guard';
}
