import { describe, expect, it } from '@jest/globals';
import { MemoryDueIndex } from './due-index.js';

describe('MemoryDueIndex', () => {
  it('answers the members due by a time, earliest first, and leaves them in the index', async () => {
    const index = new MemoryDueIndex();
    await index.schedule('c', 'b', 20);
    await index.schedule('c', 'a', 10);
    await index.schedule('c', 'c', 30);
    await index.schedule('other', 'z', 0);
    expect(await index.due('c', 25, 10)).toEqual([
      { member: 'a', dueAt: 10 },
      { member: 'b', dueAt: 20 },
    ]);
    expect(await index.due('c', 25, 1)).toEqual([{ member: 'a', dueAt: 10 }]);
    expect(await index.due('c', 5, 10)).toEqual([]);
    expect(await index.size('c')).toBe(3);
    expect(await index.due('missing', 100, 10)).toEqual([]);
  });

  it('moves a rescheduled member and forgets a removed one', async () => {
    const index = new MemoryDueIndex();
    await index.schedule('c', 'a', 10);
    await index.schedule('c', 'b', 20);
    await index.schedule('c', 'a', 50);
    await index.remove('c', 'b');
    await index.remove('c', 'never');
    expect(await index.due('c', 40, 10)).toEqual([]);
    expect(await index.due('c', 60, 10)).toEqual([{ member: 'a', dueAt: 50 }]);
    await index.schedule('c', 'b', 5);
    expect(await index.due('c', 60, 10)).toEqual([
      { member: 'b', dueAt: 5 },
      { member: 'a', dueAt: 50 },
    ]);
    expect(await index.size('c')).toBe(2);
    // Counted by live due times: the moved member once, at its new time; the removed one not.
    expect(await index.countDue('c', 40)).toBe(1);
    expect(await index.countDue('c', 50)).toBe(2);
    expect(await index.countDue('c', 4)).toBe(0);
    expect(await index.countDue('missing', 100)).toBe(0);
  });

  it('matches a sorted reference under random operations, and keeps its memory proportional', async () => {
    const index = new MemoryDueIndex();
    const reference = new Map<string, number>();
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < 5000; step++) {
      const member = `m${rand(300)}`;
      if (rand(5) === 0) {
        await index.remove('c', member);
        reference.delete(member);
      } else {
        const dueAt = rand(10_000);
        await index.schedule('c', member, dueAt);
        reference.set(member, dueAt);
      }
      if (step % 250 === 0) {
        const until = rand(10_000);
        const expected = [...reference]
          .filter(([, d]) => d <= until)
          .sort((a, b) => a[1] - b[1])
          .slice(0, 40)
          .map(([, d]) => d);
        expect((await index.due('c', until, 40)).map((e) => e.dueAt)).toEqual(expected);
      }
    }
    expect(await index.size('c')).toBe(reference.size);
    const entries = (index as unknown as { heaps: Map<string, { entries: unknown[] }> }).heaps.get('c')!.entries;
    expect(entries.length).toBeLessThanOrEqual(Math.max(64, 2 * reference.size) + 1);
  });

  it('scheduleIfAbsent never moves a member; move never adds one, and onlyEarlier only moves it earlier', async () => {
    const index = new MemoryDueIndex();
    await index.schedule('c', 'a', 50);
    await index.scheduleIfAbsent('c', 'a', 10);
    await index.scheduleIfAbsent('c', 'b', 20);
    await index.move('c', 'gone', 1);
    await index.move('c', 'a', 70, { onlyEarlier: true });
    expect(await index.due('c', 100, 10)).toEqual([
      { member: 'b', dueAt: 20 },
      { member: 'a', dueAt: 50 },
    ]);
    await index.move('c', 'a', 5, { onlyEarlier: true });
    await index.move('c', 'b', 90);
    expect(await index.due('c', 100, 10)).toEqual([
      { member: 'a', dueAt: 5 },
      { member: 'b', dueAt: 90 },
    ]);
    expect(await index.size('c')).toBe(2);
  });

  it('pages with a cursor in (due time, member) order, ties included, each member once', async () => {
    const index = new MemoryDueIndex();
    const members = Array.from({ length: 23 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    // Scores with many ties, inserted out of order.
    for (const [i, m] of [...members].reverse().entries()) await index.schedule('c', m, (i % 4) * 10);
    const pages: string[][] = [];
    let cursor: { member: string; dueAt: number } | undefined;
    for (;;) {
      const page = await index.due('c', 100, 5, cursor);
      if (!page.length) break;
      pages.push(page.map((e) => e.member));
      cursor = page[page.length - 1];
    }
    expect([...pages.flat()].sort()).toEqual([...members].sort());
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    // The pages, end to end, are the index in order.
    const all = await index.due('c', 100, 100);
    expect(pages.flat()).toEqual(all.map((e) => e.member));
    for (let i = 1; i < all.length; i++)
      expect(all[i - 1].dueAt < all[i].dueAt || all[i - 1].member < all[i].member).toBe(true);
  });
});
