import { storeUnavailable } from '../../errors/store-unavailable.js';
import { DueIndex, type DueEntry } from '../due-index.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * {@link DueIndex} as one Redis sorted set per index (`{keyPrefix}:{index}`, score = due time), so
 * every process of a fleet sees the same schedule. Raw node-redis commands: Keyv has no sorted sets.
 */
export class RedisDueIndex extends DueIndex {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async schedule(index: string, member: string, dueAt: number): Promise<void> {
    await this.run('scheduling renewal', () =>
      this.redis.client.zAdd(this.key(index), { score: dueAt, value: member }),
    );
  }

  async remove(index: string, member: string): Promise<void> {
    await this.run('unscheduling renewal', () => this.redis.client.zRem(this.key(index), member));
  }

  async due(index: string, until: number, limit: number): Promise<DueEntry[]> {
    if (limit <= 0) return [];
    const found = await this.run('reading the renewal schedule', () =>
      this.redis.client.zRangeByScoreWithScores(this.key(index), '-inf', until, {
        LIMIT: { offset: 0, count: limit },
      }),
    );
    return found.map((e) => ({ member: String(e.value), dueAt: Number(e.score) }));
  }

  async size(index: string): Promise<number> {
    return this.run('reading the renewal schedule', () => this.redis.client.zCard(this.key(index)));
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
