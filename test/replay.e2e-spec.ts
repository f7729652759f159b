import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { OpenPlatformErrorCode, type OpenPlatformEvent } from '../lib/index.js';
import type { HttpAdapterName } from './support/harness.js';
import { Prng } from './support/prng.js';
import { rejection } from './support/rejection.js';
import {
  startReplayPlatform,
  type CapturedPush,
  type ReplayPlatform,
  type Variant,
} from './support/replay-platforms.js';

/**
 * Replays, against the emulators over loopback HTTP (DESIGN §3): a recent genuine repeat is
 * acknowledged and changes nothing, an old captured push is refused, an older ticket never
 * replaces a newer one, a used code is never exchanged again, and authorization events arriving
 * out of order never flip a newer state. The app and the emulator share one ManualClock.
 */

/** Fixed, so a failure is reproducible. */
const SEED = Number(process.env.REPLAY_SEED ?? 0x4e91a7);
/** Rounds of the concurrent races; each is a handful of loopback requests. */
const TICKET_RACES = 25;
const CODE_RACES = 6;

const MINUTE = 60_000;
/** Just inside and just outside the 5 minute replay window (a built push's timestamp is whole seconds). */
const INSIDE_WINDOW_MS = 4 * MINUTE + 50_000;
const OUTSIDE_WINDOW_MS = 5 * MINUTE + 1000;

const VARIANTS: Array<[Variant, HttpAdapterName]> = [
  ['wechat', 'express'],
  ['wechat', 'fastify'],
  ['douyin-v2', 'express'],
  ['douyin-v2', 'fastify'],
  ['douyin-v1', 'express'],
];

const SUCCESS = { status: 200, body: 'success' };

/** `items` in an order drawn from `rng` (Fisher–Yates). */
function shuffled<T>(rng: Prng, items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const typesOf = (events: OpenPlatformEvent[]) => events.map((e) => e.type);

describe.each(VARIANTS)('replays on %s over %s (e2e, loopback HTTP)', (variant, adapter) => {
  let p: ReplayPlatform;
  let rng: Prng;

  beforeEach(async () => {
    p = await startReplayPlatform(variant, adapter);
    rng = new Prng(SEED);
    const first = p.ticketPush(p.nowS());
    expect(await p.send(first.captured)).toEqual(SUCCESS);
  });
  afterEach(() => p.close());

  /** Sends `push` `sequential` times one after another, then `concurrent` times at once: every answer `200 success`. */
  async function repeat(push: CapturedPush, sequential = 2, concurrent = 6): Promise<void> {
    for (let i = 0; i < sequential; i++) expect(await p.send(push)).toEqual(SUCCESS);
    const answers = await Promise.all(Array.from({ length: concurrent }, () => p.send(push)));
    expect(answers).toEqual(answers.map(() => SUCCESS));
  }

  /** A merchant consents and the platform pushes `authorized` (delivered): the code is exchanged by the push. */
  async function authorizedByPush(authorizerAppId: string): Promise<string> {
    const code = await p.consent(authorizerAppId);
    expect(await p.send(p.authorizationPush('authorized', authorizerAppId, p.nowS(), code))).toEqual(SUCCESS);
    expect(await p.tokens.getAuthorizer(authorizerAppId)).toMatchObject({ status: 'active' });
    return code;
  }

  /** What a repeat must leave as it was. */
  async function snapshot(authorizerAppId?: string) {
    return {
      ticket: await p.storedTicket(),
      authorizer: authorizerAppId ? await p.tokens.getAuthorizer(authorizerAppId) : undefined,
      events: typesOf(p.events),
      upstream: p.upstreamCalls(),
      exchanges: p.exchangeCalls(),
    };
  }

  describe('a recent genuine repeat is acknowledged and changes nothing', () => {
    it('ticket: every repeat 200 success, the record as it was, one ticket event, no platform call', async () => {
      p.clock.advance(MINUTE);
      const { ticket, captured } = p.ticketPush(p.nowS());
      expect(await p.send(captured)).toEqual(SUCCESS);
      expect((await p.storedTicket())?.ticket).toBe(ticket);
      const before = await snapshot();
      expect(before.events.filter((t) => t === 'ticket')).toHaveLength(2); // the first ticket and this one

      p.clock.advance(INSIDE_WINDOW_MS); // the platform retries within the window
      await repeat(captured);
      expect(await snapshot()).toEqual(before);
    });

    it('authorized: the code exchanged once, one event, the record and the token as they were', async () => {
      await authorizedByPush('shop_1');
      const push = p.authorizationPush('authorized', 'shop_2', p.nowS(), await p.consent('shop_2'));
      expect(await p.send(push)).toEqual(SUCCESS);
      const token = await p.tokens.getAuthorizerAccessToken('shop_2');
      const before = await snapshot('shop_2');
      expect(before.exchanges).toBe(2);
      expect(before.events.filter((t) => t === 'authorized')).toHaveLength(2);

      p.clock.advance(MINUTE);
      await repeat(push);
      expect(await snapshot('shop_2')).toEqual(before);
      expect(await p.tokens.getAuthorizerAccessToken('shop_2')).toBe(token);
      expect(p.tokenWorks(token)).toBe(true);
    });

    it('unauthorized: revoked once, one unauthorized event, no platform call', async () => {
      await authorizedByPush('shop_1');
      p.clock.advance(10_000);
      await p.revokeUpstream('shop_1');
      const revokedAt = p.nowS();
      const push = p.authorizationPush('unauthorized', 'shop_1', revokedAt);
      expect(await p.send(push)).toEqual(SUCCESS);
      const before = await snapshot('shop_1');
      expect(before.authorizer).toMatchObject({ status: 'revoked' });
      expect(before.events.filter((t) => t === 'unauthorized')).toHaveLength(1);

      p.clock.advance(MINUTE);
      await repeat(push);
      // The same event delivered again as a new push (new nonce, timestamp and ciphertext).
      expect(await p.send(p.authorizationPush('unauthorized', 'shop_1', revokedAt))).toEqual(SUCCESS);
      expect(await snapshot('shop_1')).toEqual(before);
    });

    it('unauthorized repeated after the merchant authorized again by redirect: the new authorization stands', async () => {
      await authorizedByPush('shop_1');
      p.clock.advance(10_000);
      await p.revokeUpstream('shop_1');
      const revoked = p.authorizationPush('unauthorized', 'shop_1', p.nowS());
      expect(await p.send(revoked)).toEqual(SUCCESS);
      expect(await p.tokens.getAuthorizer('shop_1')).toMatchObject({ status: 'revoked' });

      // Seconds later the merchant authorizes again; the browser comes back before any push.
      p.clock.advance(10_000);
      const code = await p.consent('shop_1');
      expect(await p.redirect(code)).toMatchObject({ status: 200 });
      const token = await p.tokens.getAuthorizerAccessToken('shop_1');
      const before = await snapshot('shop_1');
      expect(before.authorizer).toMatchObject({ status: 'active' });

      // The platform missed our `success` for the revocation and sends the very same push again.
      await repeat(revoked, 1, 3);
      expect(await snapshot('shop_1')).toEqual(before);
      expect(await p.tokens.getAuthorizerAccessToken('shop_1')).toBe(token);
      expect(p.tokenWorks(token)).toBe(true);

      // Then the push of the new authorization arrives: same code, not exchanged again.
      expect(await p.send(p.authorizationPush('authorized', 'shop_1', p.nowS(), code))).toEqual(SUCCESS);
      expect(await p.tokens.getAuthorizer('shop_1')).toMatchObject({ status: 'active' });
      expect(p.exchangeCalls()).toBe(before.exchanges);
    });

    it('a push whose handling failed is not acknowledged, and its repeat is handled (once)', async () => {
      const code = await p.consent('shop_1');
      const push = p.authorizationPush('authorized', 'shop_1', p.nowS(), code);
      p.failNextExchange();
      const failed = await p.send(push);
      expect(failed.status).toBeGreaterThanOrEqual(500); // so the platform sends it again
      expect(await p.tokens.getAuthorizer('shop_1')).toBeUndefined();

      p.clock.advance(MINUTE);
      expect(await p.send(push)).toEqual(SUCCESS);
      expect(await p.tokens.getAuthorizer('shop_1')).toMatchObject({ status: 'active' });
      await repeat(push, 1, 3);
      expect(p.exchangeCalls()).toBe(2); // the refused one and the one that worked
      expect(p.events.filter((e) => e.type === 'authorized')).toHaveLength(1);
    });

    it('a push the module only forwards: handed to the app once', async () => {
      const push = p.otherPush(p.nowS());
      expect(await p.send(push)).toEqual(SUCCESS);
      const before = await snapshot();
      expect(before.events.filter((t) => t === 'push')).toHaveLength(1);

      p.clock.advance(MINUTE);
      await repeat(push);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('an old captured push (timestamp more than 5 minutes from the server clock) is refused', () => {
    it('ticket: 401 whether it was delivered before or never, the newer record kept, no event, no platform call', async () => {
      const delivered = p.ticketPush(p.nowS());
      expect(await p.send(delivered.captured)).toEqual(SUCCESS);
      const intercepted = p.ticketPush(p.nowS()); // captured in transit, never delivered
      const before = await snapshot();
      expect(before.ticket?.ticket).toBe(delivered.ticket);

      p.clock.advance(OUTSIDE_WINDOW_MS);
      expect((await p.send(delivered.captured)).status).toBe(401);
      expect((await p.send(intercepted.captured)).status).toBe(401);
      expect(await snapshot()).toEqual(before);
    });

    it('authorized: 401, the code never exchanged, no authorizer, no event', async () => {
      const code = await p.consent('shop_1');
      const push = p.authorizationPush('authorized', 'shop_1', p.nowS(), code);
      const before = await snapshot('shop_1');
      expect(before.authorizer).toBeUndefined();

      p.clock.advance(OUTSIDE_WINDOW_MS);
      expect((await p.send(push)).status).toBe(401);
      expect(await snapshot('shop_1')).toEqual(before);
      expect(p.exchangeCalls()).toBe(0);
    });

    it('unauthorized from an earlier revocation replayed after a re-authorization: 401, the authorizer stays active', async () => {
      await authorizedByPush('shop_1');
      p.clock.advance(10_000);
      await p.revokeUpstream('shop_1');
      const revoked = p.authorizationPush('unauthorized', 'shop_1', p.nowS());
      expect(await p.send(revoked)).toEqual(SUCCESS);
      p.clock.advance(10_000);
      await authorizedByPush('shop_1');
      const token = await p.tokens.getAuthorizerAccessToken('shop_1');
      const before = await snapshot('shop_1');

      p.clock.advance(OUTSIDE_WINDOW_MS);
      expect((await p.send(revoked)).status).toBe(401);
      expect(await snapshot('shop_1')).toEqual(before);
      expect(p.tokenWorks(token)).toBe(true);
    });
  });

  describe('an older ticket never replaces a newer one', () => {
    it('arriving after it: acknowledged, the newer ticket kept, no ticket event', async () => {
      const now = p.nowS();
      const older = p.ticketPush(now - 60);
      const newer = p.ticketPush(now);
      expect(await p.send(newer.captured)).toEqual(SUCCESS);
      const before = await snapshot();
      expect(before.ticket?.ticket).toBe(newer.ticket);

      expect(await p.send(older.captured)).toEqual(SUCCESS);
      expect(await snapshot()).toEqual(before);
      await p.tokens.getComponentAccessToken(undefined, { forceRefresh: true });
    });

    it(`arriving concurrently with it, retried by the platform (${TICKET_RACES} races): the newer always wins`, async () => {
      const base = p.nowS() + 1;
      for (let race = 0; race < TICKET_RACES; race++) {
        const older = p.ticketPush(base + 2 * race);
        const newer = p.ticketPush(base + 2 * race + 1);
        const copies = rng.int(1, 3);
        const sends = shuffled(rng, [
          ...Array.from({ length: copies }, () => older.captured),
          ...Array.from({ length: copies }, () => newer.captured),
        ]);
        const answers = await Promise.all(sends.map((push) => p.send(push)));
        expect(answers).toEqual(answers.map(() => SUCCESS));
        expect((await p.storedTicket())?.ticket).toBe(newer.ticket);
      }
      // One ticket event per stored ticket: at most two a race (older first, then newer), at least one.
      const tickets = p.events.filter((e) => e.type === 'ticket').length - 1;
      expect(tickets).toBeGreaterThanOrEqual(TICKET_RACES);
      expect(tickets).toBeLessThanOrEqual(2 * TICKET_RACES);
      await p.tokens.getComponentAccessToken(undefined, { forceRefresh: true });
      expect(p.exchangeCalls()).toBe(0);
    });
  });

  describe('a used authorization code is never exchanged again, whoever brings it', () => {
    it('redirect, push, repeated redirect, repeated push, the public method: one exchange', async () => {
      const code = await p.consent('shop_1');
      const push = p.authorizationPush('authorized', 'shop_1', p.nowS(), code);
      const redirected = await p.redirect(code);
      expect(redirected.status).toBe(200);
      expect(JSON.parse(redirected.body)).toEqual({ authorizerAppId: 'shop_1', status: 'active' });
      const token = await p.tokens.getAuthorizerAccessToken('shop_1');
      const before = await snapshot('shop_1');
      expect(before.exchanges).toBe(1);

      expect(await p.send(push)).toEqual(SUCCESS);
      expect(await p.redirect(code)).toEqual(redirected);
      await repeat(push, 1, 3);
      expect(await p.redirect(code)).toEqual(redirected);
      // The platform pushing the same code again as a new delivery (new nonce and timestamp).
      p.clock.advance(MINUTE);
      expect(await p.send(p.authorizationPush('authorized', 'shop_1', p.nowS() - 60, code))).toEqual(SUCCESS);
      expect(await p.tokens.exchangeAuthorizationCode(code)).toMatchObject({
        authorizerAppId: 'shop_1',
        status: 'active',
      });
      // Past the code's own lifetime too.
      p.clock.advance(61 * MINUTE);
      expect(await p.redirect(code)).toEqual(redirected);

      expect(p.exchangeCalls()).toBe(1);
      expect(typesOf(p.events)).toEqual(before.events);
      expect(await p.tokens.getAuthorizer('shop_1')).toMatchObject({ status: 'active' });
      expect(p.tokenWorks(token)).toBe(true);
    });

    it(`redirects and pushes of one code racing (${CODE_RACES} codes): one exchange per code`, async () => {
      for (let race = 0; race < CODE_RACES; race++) {
        const shop = `shop_race_${race}`;
        const code = await p.consent(shop);
        const push = p.authorizationPush('authorized', shop, p.nowS(), code);
        const again = p.authorizationPush('authorized', shop, p.nowS(), code); // another delivery
        const arrivals = shuffled(rng, [
          ...Array.from({ length: 3 }, () => () => p.redirect(code)),
          ...Array.from({ length: 3 }, () => () => p.send(push)),
          () => p.send(again),
          () => p.tokens.exchangeAuthorizationCode(code).then((i) => ({ status: 200, body: JSON.stringify(i) })),
        ]);
        const answers = await Promise.all(arrivals.map((arrive) => arrive()));
        for (const a of answers) {
          expect(a.status).toBe(200);
          if (a.body !== 'success')
            expect(JSON.parse(a.body)).toMatchObject({ authorizerAppId: shop, status: 'active' });
        }
        expect(p.exchangeCalls()).toBe(race + 1);
        expect(p.tokenWorks(await p.tokens.getAuthorizerAccessToken(shop))).toBe(true);
      }
      expect(p.events.filter((e) => e.type === 'authorized')).toHaveLength(CODE_RACES);
    });
  });

  describe('authorization events out of order never flip a newer state', () => {
    it('a late unauthorized older than a later authorized: ignored, the new token kept', async () => {
      await authorizedByPush('shop_1');
      p.clock.advance(10_000);
      await p.revokeUpstream('shop_1');
      const late = p.authorizationPush('unauthorized', 'shop_1', p.nowS()); // delayed in transit
      p.clock.advance(10_000);
      await authorizedByPush('shop_1');
      const token = await p.tokens.getAuthorizerAccessToken('shop_1');
      const before = await snapshot('shop_1');

      p.clock.advance(MINUTE);
      expect(await p.send(late)).toEqual(SUCCESS);
      await repeat(late, 1, 3);
      expect(await snapshot('shop_1')).toEqual(before);
      expect(await p.tokens.getAuthorizerAccessToken('shop_1')).toBe(token);
      expect(p.tokenWorks(token)).toBe(true);
    });

    it('a late authorized older than a later unauthorized (its code exchanged by the redirect): stays revoked', async () => {
      const code = await p.consent('shop_1');
      const late = p.authorizationPush('authorized', 'shop_1', p.nowS(), code); // delayed in transit
      expect((await p.redirect(code)).status).toBe(200);
      p.clock.advance(10_000);
      await p.revokeUpstream('shop_1');
      expect(await p.send(p.authorizationPush('unauthorized', 'shop_1', p.nowS()))).toEqual(SUCCESS);
      const before = await snapshot('shop_1');
      expect(before.authorizer).toMatchObject({ status: 'revoked' });

      p.clock.advance(MINUTE);
      expect(await p.send(late)).toEqual(SUCCESS);
      await repeat(late, 1, 3);
      expect(await snapshot('shop_1')).toEqual(before);
      expect((await rejection(p.tokens.getAuthorizerAccessToken('shop_1'))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_REVOKED,
      );
    });

    it('a late authorized whose code was never exchanged, after a later unauthorized: stays revoked', async () => {
      const code = await p.consent('shop_1');
      const late = p.authorizationPush('authorized', 'shop_1', p.nowS(), code); // delayed in transit
      p.clock.advance(10_000);
      await p.revokeUpstream('shop_1');
      expect(await p.send(p.authorizationPush('unauthorized', 'shop_1', p.nowS()))).toEqual(SUCCESS);
      const before = await snapshot('shop_1');
      expect(before.authorizer).toMatchObject({ status: 'revoked' });

      p.clock.advance(MINUTE);
      expect(await p.send(late)).toEqual(SUCCESS); // a dead code is acknowledged: retrying cannot help
      expect(await p.tokens.getAuthorizer('shop_1')).toEqual(before.authorizer);
      // (The attempt may fetch the component token first: a token.refreshed event, no authorization one.)
      const authorizations = (types: string[]) => types.filter((t) => /authorized$/.test(t));
      expect(authorizations(typesOf(p.events))).toEqual(authorizations(before.events));
      expect(p.exchangeCalls()).toBeLessThanOrEqual(1); // at most the platform refusing the voided code
    });

    it('an unauthorized and an older authorized racing, repeated: the revocation always stands', async () => {
      for (let race = 0; race < 5; race++) {
        const shop = `shop_race_${race}`;
        const code = await p.consent(shop);
        const older = p.authorizationPush('authorized', shop, p.nowS(), code);
        expect((await p.redirect(code)).status).toBe(200);
        p.clock.advance(5000);
        await p.revokeUpstream(shop);
        const newer = p.authorizationPush('unauthorized', shop, p.nowS());
        const answers = await Promise.all(shuffled(rng, [older, older, newer, newer]).map((push) => p.send(push)));
        expect(answers).toEqual(answers.map(() => SUCCESS));
        expect(await p.tokens.getAuthorizer(shop)).toMatchObject({ status: 'revoked' });
        expect(p.exchangeCalls()).toBe(race + 1);
      }
      expect(p.events.filter((e) => e.type === 'unauthorized')).toHaveLength(5);
    });
  });
});
