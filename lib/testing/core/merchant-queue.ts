/** What a queued merchant needs: optionally, the only component whose page it consents on. */
export interface QueuedMerchantLike {
  componentAppId?: string;
}

/** Merchants waiting to consent on an emulator's authorization page, FIFO per component. */
export class MerchantQueue<M extends QueuedMerchantLike> {
  private readonly waiting: M[] = [];

  /** Queues a copy, so later changes to the caller's object do not leak in. */
  add(merchant: M): void {
    this.waiting.push(structuredClone(merchant));
  }

  /** The first merchant waiting for `componentAppId` (or for any component). */
  peek(componentAppId: string): M | undefined {
    return this.waiting.find((m) => m.componentAppId === undefined || m.componentAppId === componentAppId);
  }

  remove(merchant: M): void {
    const index = this.waiting.indexOf(merchant);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  get size(): number {
    return this.waiting.length;
  }
}
