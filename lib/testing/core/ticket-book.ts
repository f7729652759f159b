import { randomBytes } from 'node:crypto';

/** Result of checking a ticket presented to `api_component_token`. */
export type TicketCheck = 'valid' | 'expired' | 'unknown';

/**
 * Every ticket the emulator issued, per component. Any ticket still within its lifetime is
 * accepted, not only the latest: the platform keeps accepting the last one when a push is missed.
 */
export class TicketBook {
  private readonly issued = new Map<string, { componentAppId: string; issuedAt: number }>();
  private readonly latest = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly lifetimeSeconds: number,
    /** Starts generated tickets, so they look like the platform's. */
    private readonly prefix = 'ticket@@@',
  ) {}

  /** Records `ticket` (or a fresh one) as issued now; it becomes the component's latest. */
  issue(componentAppId: string, ticket = `${this.prefix}${randomBytes(32).toString('base64url')}`): string {
    this.issued.set(ticket, { componentAppId, issuedAt: this.now() });
    this.latest.set(componentAppId, ticket);
    return ticket;
  }

  latestFor(componentAppId: string): string | undefined {
    return this.latest.get(componentAppId);
  }

  check(componentAppId: string, ticket: string): TicketCheck {
    const entry = this.issued.get(ticket);
    if (!entry || entry.componentAppId !== componentAppId) return 'unknown';
    return this.now() - entry.issuedAt >= this.lifetimeSeconds * 1000 ? 'expired' : 'valid';
  }
}
