import { describe, expect, it } from '@jest/globals';
import { WalkBatcher, type WalkRequest } from './walk-batcher.js';

/** A walk the test finishes by hand, recording what each walk was asked for. */
class ControlledWalks {
  readonly requests: Array<{ ids: string[]; all: boolean }> = [];
  private readonly pending: Array<{ resolve: (r: string) => void; reject: (e: unknown) => void }> = [];
  running = 0;
  maxRunning = 0;

  readonly walk = (request: WalkRequest): Promise<string> => {
    this.requests.push({ ids: [...request.ids].sort(), all: request.all });
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<string>((resolve, reject) => this.pending.push({ resolve, reject })).finally(
      () => this.running--,
    );
  };

  /** Ends the oldest unfinished walk with a report (or a failure). */
  finish(report: string): void {
    this.pending.shift()!.resolve(report);
  }
  fail(error: Error): void {
    this.pending.shift()!.reject(error);
  }
}

/** Lets queued microtasks and promise reactions run. */
const flush = () => new Promise<void>((r) => setImmediate(r));

describe('WalkBatcher', () => {
  it('callers in the same tick share one walk that looks for all their ids', async () => {
    const walks = new ControlledWalks();
    const batcher = new WalkBatcher(walks.walk);
    const results = Promise.all(['a', 'b', 'c', 'a'].map((id) => batcher.find(id)));
    await flush();
    expect(walks.requests).toEqual([{ ids: ['a', 'b', 'c'], all: false }]);
    walks.finish('report-1');
    expect(await results).toEqual(['report-1', 'report-1', 'report-1', 'report-1']);
  });

  it('callers reaching it after more promise hops in the same event-loop turn share the walk too', async () => {
    const walks = new ControlledWalks();
    const batcher = new WalkBatcher(walks.walk);
    const hops = async (n: number, id: string) => {
      for (let i = 0; i < n; i++) await Promise.resolve();
      return batcher.find(id);
    };
    const results = Promise.all([hops(0, 'a'), hops(5, 'b'), hops(50, 'c')]);
    await flush();
    expect(walks.requests).toEqual([{ ids: ['a', 'b', 'c'], all: false }]);
    walks.finish('report-1');
    expect(await results).toEqual(['report-1', 'report-1', 'report-1']);
  });

  it('one running, one queued: callers arriving during a walk join the single next walk', async () => {
    const walks = new ControlledWalks();
    const batcher = new WalkBatcher(walks.walk);
    const first = batcher.find('a');
    await flush();
    expect(walks.requests).toHaveLength(1);

    // 30 callers arrive while the first walk runs, some for the id it is already looking for:
    // that walk may have passed their entry already, so they wait for the next one.
    const later = Array.from({ length: 30 }, (_, i) => batcher.find(i % 3 === 0 ? 'a' : `x${i}`));
    await flush();
    expect(walks.requests).toHaveLength(1); // nothing starts while a walk runs

    walks.finish('report-1');
    expect(await first).toBe('report-1');
    await flush();
    expect(walks.requests).toHaveLength(2);
    expect(walks.requests[1].ids).toContain('a');
    expect(walks.requests[1].ids).toHaveLength(21); // 'a' once + 20 distinct x ids

    // A caller arriving during the second walk waits for a third.
    const third = batcher.find('z');
    walks.finish('report-2');
    expect(await Promise.all(later)).toEqual(Array(30).fill('report-2'));
    await flush();
    expect(walks.requests).toHaveLength(3);
    expect(walks.requests[2]).toEqual({ ids: ['z'], all: false });
    walks.finish('report-3');
    expect(await third).toBe('report-3');
    expect(walks.maxRunning).toBe(1);
  });

  it('findAll asks the next walk for the whole list, shared with id lookups', async () => {
    const walks = new ControlledWalks();
    const batcher = new WalkBatcher(walks.walk);
    const results = Promise.all([batcher.find('a'), batcher.findAll(), batcher.findAll()]);
    await flush();
    expect(walks.requests).toEqual([{ ids: ['a'], all: true }]);
    walks.finish('whole');
    expect(await results).toEqual(['whole', 'whole', 'whole']);
  });

  it('a failed walk rejects exactly its callers; the queued walk still runs, and later calls walk again', async () => {
    const walks = new ControlledWalks();
    const batcher = new WalkBatcher(walks.walk);
    const failing = [batcher.find('a'), batcher.find('b')].map((p) =>
      p.then(
        () => 'resolved',
        (e: Error) => e,
      ),
    );
    await flush();
    const queued = batcher.find('c');
    walks.fail(new Error('list unavailable'));
    const errors = await Promise.all(failing);
    for (const e of errors) expect(e).toEqual(new Error('list unavailable'));

    await flush();
    expect(walks.requests[1]).toEqual({ ids: ['c'], all: false });
    walks.finish('report-2');
    expect(await queued).toBe('report-2');

    const again = batcher.find('a');
    await flush();
    expect(walks.requests).toHaveLength(3);
    walks.finish('report-3');
    expect(await again).toBe('report-3');
  });

  it('a walk that throws synchronously rejects its callers and does not block the next walk', async () => {
    let calls = 0;
    const batcher = new WalkBatcher<string>(() => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return Promise.resolve('ok');
    });
    await expect(batcher.find('a')).rejects.toThrow('boom');
    expect(await batcher.find('a')).toBe('ok');
    expect(calls).toBe(2);
  });
});
