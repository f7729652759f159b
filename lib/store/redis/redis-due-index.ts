import { storeUnavailable } from '../../errors/store-unavailable.js';
import { DueIndex, dueBefore, type DueEntry, type MoveOptions } from '../due-index.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * {@link DueIndex} as one Redis sorted set per index (`{keyPrefix}:{index}`, score = due time), so
 * every process of a fleet sees the same schedule. Raw node-redis commands: Keyv has no sorted sets.
 */
export class RedisDueIndex extends DueIndex {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  override get shared(): boolean {
    return true;
  }

  async schedule(index: string, member: string, dueAt: number): Promise<void> {
    await this.run('scheduling renewal', () =>
      this.redis.client.zAdd(this.key(index), { score: dueAt, value: member }),
    );
  }

  async scheduleIfAbsent(index: string, member: string, dueAt: number): Promise<void> {
    await this.run('scheduling renewal', () =>
      this.redis.client.zAdd(this.key(index), { score: dueAt, value: member }, { condition: 'NX' }),
    );
  }

  async move(index: string, member: string, dueAt: number, options: MoveOptions = {}): Promise<void> {
    await this.run('rescheduling renewal', () =>
      this.redis.client.zAdd(
        this.key(index),
        { score: dueAt, value: member },
        options.onlyEarlier ? { condition: 'XX', comparison: 'LT' } : { condition: 'XX' },
      ),
    );
  }

  async remove(index: string, member: string): Promise<void> {
    await this.run('unscheduling renewal', () => this.redis.client.zRem(this.key(index), member));
  }

  async due(index: string, until: number, limit: number, after?: DueEntry): Promise<DueEntry[]> {
    if (limit <= 0 || (after && after.dueAt > until)) return [];
    // From the cursor's score on; members tied with it at or before it are skipped. They are
    // rarely many (worked members have moved), so a page made only of them is read past.
    for (let offset = 0; ;) {
      const page = await this.run('reading the renewal schedule', () =>
        this.redis.client.zRangeByScoreWithScores(this.key(index), after ? after.dueAt : '-inf', until, {
          LIMIT: { offset, count: limit },
        }),
      );
      const entries = page.map((e) => ({ member: String(e.value), dueAt: Number(e.score) }));
      const found = after ? entries.filter((e) => dueBefore(after, e)) : entries;
      if (found.length || page.length < limit) return found;
      offset += page.length;
    }
  }

  async countDue(index: string, until: number): Promise<number> {
    return this.run('reading the renewal schedule', () => this.redis.client.zCount(this.key(index), '-inf', until));
  }

  async size(index: string): Promise<number> {
    return this.run('reading the renewal schedule', () => this.redis.client.zCard(this.key(index)));
  }

  override onPossibleLoss(listener: () => void): void {
    this.redis.onReconnect(listener);
  }

  private key(index: string): string {
    return `${this.redis.keyPrefix}:${index}`;
  }

  private async run<T>(operation: string, command: () => Promise<T>): Promise<T> {
    try {
      this.redis.assertOpen(operation);
      return await command();
    } catch (err) {
      throw storeUnavailable(operation, err);
    }
  }
}
