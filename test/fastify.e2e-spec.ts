import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

type Done = (err: Error | null, body?: unknown) => void;
interface FastifyLike {
  addContentTypeParser(t: string, o: object, fn: (r: unknown, b: string, d: Done) => void): void;
  hasContentTypeParser(t: string): boolean;
}
const fastifyOf = (app: INestApplication) => app.getHttpAdapter().getInstance() as FastifyLike;

describe('events route on Fastify', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('registers text/xml and application/xml parsers by itself, before Fastify is ready', async () => {
    h = await startHarness({ adapter: 'fastify' });
    const fastify = fastifyOf(h.app);
    expect([fastify.hasContentTypeParser('text/xml'), fastify.hasContentTypeParser('application/xml')]).toEqual([
      true,
      true,
    ]);
    for (const type of ['text/xml', 'application/xml', 'text/xml; charset=utf-8']) {
      const push = h.fake.buildPush(
        COMPONENT_A.appId,
        `<xml><AppId>${COMPONENT_A.appId}</AppId><CreateTime>${Math.floor(h.clock.now() / 1000)}</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>ticket@@@${type.length}</ComponentVerifyTicket></xml>`,
      );
      const res = await fetch(`${h.eventsUrl()}?${new URLSearchParams(push.query).toString()}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: push.body,
      });
      expect({ status: res.status, type: res.headers.get('content-type'), body: await res.text() }).toEqual({
        status: 200,
        type: 'text/plain; charset=utf-8',
        body: 'success',
      });
    }
  });

  it("leaves the app's own XML parser in place, and it keeps being used", async () => {
    let appParserCalls = 0;
    h = await startHarness({
      adapter: 'fastify',
      configure: (app) =>
        fastifyOf(app).addContentTypeParser('text/xml', { parseAs: 'string' }, (_req, body, done) => {
          appParserCalls++;
          done(null, body);
        }),
    });
    const result = await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    expect(result).toMatchObject({ status: 200, body: 'success' });
    expect(appParserCalls).toBe(1);
    await expect(h.tokens.getComponentAccessToken(COMPONENT_A.appId)).resolves.toEqual(expect.any(String));
  });

  it('a content type nobody parses is still refused with a 4xx, never a 5xx', async () => {
    h = await startHarness({ adapter: 'fastify' });
    const push = h.fake.buildPush(COMPONENT_A.appId, '<xml/>');
    const res = await fetch(`${h.eventsUrl()}?${new URLSearchParams(push.query).toString()}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: push.body,
    });
    expect(res.status).toBe(415);
  });
});
