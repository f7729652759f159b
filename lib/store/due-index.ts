/** A member of a due-time index and when it is due (epoch ms). */
export interface DueEntry {
  member: string;
  dueAt: number;
}

/** Which members {@link DueIndex.move} may move. */
export interface MoveOptions {
  /** Only when the new due time is earlier than the member's current one. */
  onlyEarlier?: boolean;
}

/**
 * Whether `a` comes before `b` in an index: by due time, then by member (code-unit order, which
 * is a Redis sorted set's byte order for the ASCII appids kept here).
 */
export function dueBefore(a: DueEntry, b: DueEntry): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.member < b.member);
}

/**
 * When each piece of scheduled work is due, per index key (one index per component), so the
 * scheduler finds due work without reading every record: a tick with nothing due costs the same
 * with 100 or 100,000 members. In process memory a min-heap; in fleet mode a Redis sorted set.
 * Members are ordered by due time, then by member.
 */
export abstract class DueIndex {
  /**
   * Whether every process of a fleet reads and writes this index (Redis): then each process keeps
   * it current, scheduler or not, for the processes that run the scheduler.
   */
  get shared(): boolean {
    return false;
  }

  /** Sets `member`'s due time, replacing any earlier one. */
  abstract schedule(index: string, member: string, dueAt: number): Promise<void>;
  /** Sets `member`'s due time only when it is not in the index (a rebuild never undoes a move). */
  abstract scheduleIfAbsent(index: string, member: string, dueAt: number): Promise<void>;
  /**
   * Changes the due time of a member that is in the index; never adds one (a member taken out
   * meanwhile, e.g. revoked, stays out).
   */
  abstract move(index: string, member: string, dueAt: number, options?: MoveOptions): Promise<void>;
  /** Takes `member` out of the index (no-op when absent). */
  abstract remove(index: string, member: string): Promise<void>;
  /**
   * Up to `limit` members due at or before `until`, in index order, after `after` when given (a
   * cursor: the last entry of the previous page), so a pass over n due members reads each once.
   * They stay in the index: whoever works a member schedules it again (or removes it); one left
   * as it was is due again at the next look.
   */
  abstract due(index: string, until: number, limit: number, after?: DueEntry): Promise<DueEntry[]>;
  /** How many members the index holds. */
  abstract size(index: string): Promise<number>;
  /** How many members are due at or before `until` (read by a gauge at metric collection). */
  abstract countDue(index: string, until: number): Promise<number>;
  /**
   * Calls `listener` whenever the index may have lost members behind the module's back (fleet
   * mode: Redis was unreachable, and may have restarted empty). Memory indexes never lose any.
   */
  onPossibleLoss(_listener: () => void): void {}
}

/**
 * {@link DueIndex} in process memory: a binary min-heap per index with lazy deletion (a moved or
 * removed member leaves a stale heap entry that is skipped and dropped when it reaches the top).
 * Written by hand: the maintained npm heap (heap-js) removes by value in O(n) and its `top(n)` is
 * unordered, while moving a member here must stay O(log n) at 100,000 members.
 * Stale entries are compacted when they outnumber live ones, so memory stays proportional.
 */
export class MemoryDueIndex extends DueIndex {
  private readonly heaps = new Map<string, LazyHeap>();

  private heap(index: string): LazyHeap {
    let heap = this.heaps.get(index);
    if (!heap) this.heaps.set(index, (heap = new LazyHeap()));
    return heap;
  }

  async schedule(index: string, member: string, dueAt: number): Promise<void> {
    this.heap(index).set(member, dueAt);
  }

  async scheduleIfAbsent(index: string, member: string, dueAt: number): Promise<void> {
    const heap = this.heap(index);
    if (heap.dueAt(member) === undefined) heap.set(member, dueAt);
  }

  async move(index: string, member: string, dueAt: number, options: MoveOptions = {}): Promise<void> {
    const heap = this.heaps.get(index);
    const current = heap?.dueAt(member);
    if (current === undefined || (options.onlyEarlier && dueAt >= current)) return;
    heap!.set(member, dueAt);
  }

  async remove(index: string, member: string): Promise<void> {
    this.heaps.get(index)?.delete(member);
  }

  async due(index: string, until: number, limit: number, after?: DueEntry): Promise<DueEntry[]> {
    return this.heaps.get(index)?.peekUntil(until, limit, after) ?? [];
  }

  async size(index: string): Promise<number> {
    return this.heaps.get(index)?.size ?? 0;
  }

  async countDue(index: string, until: number): Promise<number> {
    return this.heaps.get(index)?.countUntil(until) ?? 0;
  }
}

class LazyHeap {
  /** The live due time of every member. */
  private readonly live = new Map<string, number>();
  /** Heap entries; an entry whose dueAt differs from `live` is stale. */
  private entries: DueEntry[] = [];

  get size(): number {
    return this.live.size;
  }

  dueAt(member: string): number | undefined {
    return this.live.get(member);
  }

  /** Live members due by `until`: one pass over the live times (at collection, never per call). */
  countUntil(until: number): number {
    let n = 0;
    for (const dueAt of this.live.values()) if (dueAt <= until) n++;
    return n;
  }

  set(member: string, dueAt: number): void {
    if (this.live.get(member) === dueAt) return;
    this.live.set(member, dueAt);
    this.push({ member, dueAt });
    if (this.entries.length > 64 && this.entries.length > 2 * this.live.size) this.compact();
  }

  delete(member: string): void {
    this.live.delete(member);
    if (this.live.size === 0) this.entries = [];
  }

  /**
   * The live entries due by `until` (after `after`, if given), in order, leaving the heap as it
   * was (stale tops dropped).
   */
  peekUntil(until: number, limit: number, after?: DueEntry): DueEntry[] {
    this.dropStaleTop();
    const found: DueEntry[] = [];
    if (!this.entries.length || this.entries[0].dueAt > until || limit <= 0) return found;
    // Walk the heap best-first with a small frontier heap of indices: O(k log k), not O(n), where
    // k counts the entries before the cursor too (worked members have moved, so they are few).
    const cmp = (a: number, b: number) => order(this.entries[a], this.entries[b]);
    const frontier = [0];
    const seen = new Set<string>();
    while (frontier.length && found.length < limit) {
      const i = popMin(frontier, cmp);
      const entry = this.entries[i];
      if (entry.dueAt > until) break;
      if (
        this.live.get(entry.member) === entry.dueAt &&
        !seen.has(entry.member) &&
        (after === undefined || dueBefore(after, entry))
      ) {
        seen.add(entry.member);
        found.push({ ...entry });
      }
      for (const child of [2 * i + 1, 2 * i + 2]) if (child < this.entries.length) pushIndex(frontier, child, cmp);
    }
    return found;
  }

  private dropStaleTop(): void {
    while (this.entries.length && this.live.get(this.entries[0].member) !== this.entries[0].dueAt) this.pop();
  }

  private compact(): void {
    this.entries = [];
    for (const [member, dueAt] of this.live) this.push({ member, dueAt });
  }

  private push(entry: DueEntry): void {
    const a = this.entries;
    a.push(entry);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!dueBefore(a[i], a[parent])) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  private pop(): void {
    const a = this.entries;
    const last = a.pop()!;
    if (!a.length) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && dueBefore(a[l], a[m])) m = l;
      if (r < a.length && dueBefore(a[r], a[m])) m = r;
      if (m === i) return;
      [a[m], a[i]] = [a[i], a[m]];
      i = m;
    }
  }
}

function order(a: DueEntry, b: DueEntry): number {
  return dueBefore(a, b) ? -1 : dueBefore(b, a) ? 1 : 0;
}

/** Pushes `value` onto a min-heap of numbers ordered by `cmp`. */
function pushIndex(heap: number[], value: number, cmp: (a: number, b: number) => number): void {
  heap.push(value);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (cmp(heap[parent], heap[i]) <= 0) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function popMin(heap: number[], cmp: (a: number, b: number) => number): number {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && cmp(heap[l], heap[m]) < 0) m = l;
      if (r < heap.length && cmp(heap[r], heap[m]) < 0) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  }
  return top;
}
