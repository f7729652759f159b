import { describe, expect, it } from '@jest/globals';
import type { OpenPlatformEvent, OpenPlatformEventOf } from './open-platform-event.interface.js';
import { OpenPlatformEvents } from './open-platform-events.service.js';

// Type-level checks run in `npm run typecheck` (tsc over the specs): an unused @ts-expect-error is
// an error, so these lines fail the build if the union stops discriminating.
function expiryOf(e: OpenPlatformEvent): number | undefined {
  // @ts-expect-error expiresAt exists only once `type` says 'token.refreshed'
  const unnarrowed: number = e.expiresAt;
  void unnarrowed;
  if (e.type === 'token.refreshed') return e.expiresAt; // a number, no cast
  return undefined;
}

function failureCode(e: OpenPlatformEventOf<'reauthorization_required'>): number | string {
  return e.error.code; // always present on this type
}

describe('OpenPlatformEvent', () => {
  it('is discriminated by type, at run time as at compile time', () => {
    const bus = new OpenPlatformEvents();
    const seen: Array<number | string | undefined> = [];
    bus.events$.subscribe((e) => {
      seen.push(expiryOf(e));
      if (e.type === 'reauthorization_required') seen.push(failureCode(e));
    });
    const base = { platform: 'wechat', componentAppId: 'wx_c', at: 1 } as const;
    bus.emit({ ...base, type: 'token.refreshed', tokenKind: 'component', expiresAt: 42 });
    bus.emit({ ...base, type: 'ticket' });
    bus.emit({
      ...base,
      type: 'reauthorization_required',
      authorizerAppId: 'wx_a',
      error: { code: 61023, message: 'x' },
    });
    expect(seen).toEqual([42, undefined, undefined, 61023]);
  });
});
