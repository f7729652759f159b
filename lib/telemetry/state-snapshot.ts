/** What the observable gauges read at each collection (gathered by the module's status). */
export interface StateSnapshot {
  components: ComponentSnapshot[];
  /** Due authorizers the last tick left for the next one; undefined before the first tick. */
  deferred?: number;
}

export interface ComponentSnapshot {
  platform: string;
  component: string;
  /** Age of the verify ticket held (ms since the platform created it); undefined when none is held. */
  ticketAgeMs?: number;
  /** Authorizers per status. */
  authorizers: Record<string, number>;
  /** How long the oldest overdue scheduled renewal has waited (ms; 0 when none is overdue). */
  schedulerLagMs?: number;
  /**
   * Tokens inside their renewal window (remaining life below min(marginSeconds, 20% of their
   * lifetime), or expired) and not renewed yet: the component's (0 or 1, when one is cached) and
   * its authorizers' as the scheduler's index has them due (undefined while the scheduler is off).
   */
  expiring?: { component?: number; authorizer?: number };
}
