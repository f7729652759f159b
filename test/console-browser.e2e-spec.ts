import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashAdminPassword, MemoryDurableStore } from '../lib/index.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { launchChromium, screenshot, seriousAxeViolations } from './support/browser.js';
import { COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

// The operator console in a real headless Chromium (Debian's package, driven by playwright-core)
// against an app on the emulator, under a global prefix: the operator's flow, accessibility with
// axe-core, the page's CSP, escaping of hostile values, and a scan of everything the browser
// received for the credentials the emulator issued. One browser and one app for the whole file.

// The callbacks of page.evaluate run in the browser; this project compiles without the DOM library.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const location: { hash: string };
declare const getComputedStyle: (e: unknown) => { outlineStyle: string; outlineWidth: string };
/* eslint-enable @typescript-eslint/no-explicit-any */

const A = COMPONENT_A.appId;
const USER = 'ops';
const PASSWORD = 'console browser passphrase';
/** An authorizer record whose appid is markup (as if a store had been written by something else). */
const HOSTILE = '<img src=x onerror="window.__xss=1">';

let browser: Browser;
let h: Harness;
let consoleUrl: string;
/** The operator's context (CSP enforced) and the one axe runs in (CSP bypassed: axe is an injected script). */
let operator: BrowserContext;
let audit: BrowserContext;
let page: Page;
/** Every body the operator's browser received, for the credential scan. */
const received: Array<{ url: string; body: string }> = [];
const dialogs: string[] = [];

beforeAll(async () => {
  const durable = new MemoryDurableStore();
  await durable.set(StoreKeys.authorizer('wechat', A, HOSTILE), {
    componentAppId: A,
    authorizerAppId: HOSTILE,
    platform: 'wechat',
    status: 'revoked',
    permissions: [1],
    authorizedAt: Date.now(),
    updatedAt: Date.now(),
  });
  const passwordHash = await hashAdminPassword(PASSWORD, { N: 1024 });
  [browser, h] = await Promise.all([
    launchChromium(),
    startHarness({
      globalPrefix: 'api',
      options: {
        // maxFailures high: the refusal test offers a wrong password (the lockout has its own suite).
        admin: { enabled: true, basicAuth: { username: USER, passwordHash, maxFailures: 100 } },
        storage: { durable },
      },
    }),
  ]);
  await h.fake.pushTicket(h.eventsUrl(), A);
  for (const shop of ['wx_shop_1', 'wx_shop_2', 'wx_other_3']) await merchantAuthorizes(h, shop);
  await h.tokens.getComponentAccessToken(A);
  consoleUrl = `${h.routesUrl}/console`;
  const credentials = { username: USER, password: PASSWORD };
  operator = await browser.newContext({ httpCredentials: credentials, viewport: { width: 1280, height: 800 } });
  audit = await browser.newContext({
    httpCredentials: credentials,
    bypassCSP: true,
    viewport: { width: 1280, height: 800 },
  });
  page = await operator.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  page.on('response', async (res) => {
    try {
      received.push({ url: res.url(), body: await res.text() });
    } catch {
      // a redirect or an aborted load has no body
    }
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.fake.settle();
  await h?.close();
});

/** Opens a console route in the audit context and returns axe's serious and critical findings. */
async function audited(hash: string, ready: (p: Page) => Promise<unknown>, prepare?: (p: Page) => Promise<void>) {
  const p = await audit.newPage();
  try {
    await p.goto(`${consoleUrl}${hash}`);
    await ready(p);
    await prepare?.(p);
    return await seriousAxeViolations(p);
  } finally {
    await p.close();
  }
}

describe('operator console in Chromium', () => {
  it('refuses without credentials (401) and with wrong ones', async () => {
    const anonymous = await browser.newContext();
    const wrong = await browser.newContext({ httpCredentials: { username: USER, password: 'wrong' } });
    try {
      for (const context of [anonymous, wrong]) {
        // Headless Chromium ends the load with ERR_INVALID_AUTH_CREDENTIALS once the server refused
        // (no credentials to offer, or the wrong ones): the answer itself is read as it arrives.
        const p = await context.newPage();
        const [res, loaded] = await Promise.all([
          p.waitForResponse((r) => r.url() === consoleUrl),
          p.goto(consoleUrl).catch((e: Error) => e),
        ]);
        expect(res.status()).toBe(401);
        expect(res.headers()['www-authenticate']).toMatch(/^Basic realm=/);
        expect(loaded instanceof Error ? loaded.message : await loaded?.text()).not.toContain('<main');
        expect(await p.locator('main').count()).toBe(0);
      }
    } finally {
      await Promise.all([anonymous.close(), wrong.close()]);
    }
  });

  it('components: ticket, last push, token validity (never the token), counts; 0 serious axe findings', async () => {
    const res = await page.goto(consoleUrl);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    const row = page.getByRole('row', { name: new RegExp(A) });
    await row.waitFor();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Components');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Usable');
    expect(text).toContain('Valid');
    expect(text).toContain('4 in total');
    expect(await page.getByRole('row', { name: new RegExp(COMPONENT_B.appId) }).textContent()).toContain('No ticket');
    await screenshot(page, '1-components');
    expect(await audited('#/components', (p) => p.getByRole('row', { name: new RegExp(A) }).waitFor())).toEqual([]);
  });

  it('authorizers: filters from the form, a cursor page at a time; 0 serious axe findings', async () => {
    await page.getByRole('link', { name: 'Authorizers' }).click();
    await page.getByRole('button', { name: 'Apply filters' }).waitFor();
    await page.getByLabel('Status').selectOption('active');
    await page.getByLabel('Appid starts with').fill('wx_shop');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForFunction(() => location.hash.includes('appIdPrefix=wx_shop'));
    await page.getByRole('link', { name: 'wx_shop_2' }).waitFor();
    const appIds = await page.locator('tbody th').allTextContents();
    expect(appIds).toEqual(['wx_shop_1', 'wx_shop_2']);
    await screenshot(page, '2-authorizers-filtered');

    // One per page: "Next page" follows the API's cursor.
    await page.goto(`${consoleUrl}#/authorizers?status=active&limit=1`);
    await page.getByRole('button', { name: 'Next page' }).waitFor();
    expect(await page.locator('tbody th').allTextContents()).toEqual(['wx_other_3']);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('link', { name: 'First page' }).waitFor();
    expect(await page.locator('tbody th').allTextContents()).toEqual(['wx_shop_1']);
    expect(await page.getByLabel('Per page').inputValue()).toBe('');

    expect(
      await audited('#/authorizers?status=active', (p) => p.getByRole('link', { name: 'wx_shop_1' }).waitFor()),
    ).toEqual([]);
  });

  it('an authorizer: renew now shows the new expiry; a re-authorization link with its QR code; revoke after a confirm', async () => {
    await page.goto(`${consoleUrl}#/authorizers?appIdPrefix=wx_shop_1`);
    await page.getByRole('link', { name: 'wx_shop_1' }).click();
    await page.getByRole('heading', { name: 'Authorizer wx_shop_1' }).waitFor();
    const expiry = page.locator('#access-expiry time');
    const before = Date.parse((await expiry.getAttribute('datetime'))!);
    expect(await page.getByRole('heading', { name: 'History' }).isVisible()).toBe(true);
    await screenshot(page, '3-authorizer');

    h.clock.advance(60_000);
    const calls = h.fake.calls('api_authorizer_token');
    await page.getByRole('button', { name: 'Renew now' }).click();
    await page.getByText('Renewed: the access token of wx_shop_1 now expires at').waitFor();
    const after = Date.parse((await expiry.getAttribute('datetime'))!);
    expect(after).toBeGreaterThan(before);
    expect(h.fake.calls('api_authorizer_token')).toBe(calls + 1);
    expect((await h.tokens.getAuthorizer('wx_shop_1', A))?.accessTokenExpiresAt).toBe(after);
    await screenshot(page, '4-authorizer-renewed');

    await page.getByRole('button', { name: 'Create re-authorization link' }).click();
    const url = page.getByLabel('Link to send to the merchant');
    await url.waitFor();
    expect(await url.inputValue()).toBe(`${h.routesUrl}/${A}/authorize?biz_appid=wx_shop_1`);
    const qr = page.getByRole('img', { name: 'QR code of the authorization link' });
    await qr.waitFor();
    expect(
      await qr.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0),
    ).toBe(true);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('The link is copied.').waitFor();
    await screenshot(page, '5-authorizer-link');
    // The link works: it leads to the platform's page with a fresh pre-auth code.
    expect((await fetch(await url.inputValue(), { redirect: 'manual' })).status).toBe(302);

    expect(
      await audited(
        `#/authorizer/${A}/wx_shop_1`,
        (p) => p.getByRole('heading', { name: 'History' }).waitFor(),
        async (p) => {
          await p.getByRole('button', { name: 'Create re-authorization link' }).click();
          await p.getByRole('img', { name: 'QR code of the authorization link' }).waitFor();
        },
      ),
    ).toEqual([]);

    await page.getByRole('button', { name: 'Revoke locally…' }).click();
    await page.getByText('wx_shop_1 is marked revoked here.').waitFor();
    expect(dialogs.at(-1)).toContain('Mark wx_shop_1 revoked here?');
    expect(await page.locator('dl.facts').textContent()).toContain('Revoked');
    expect(await page.getByRole('button', { name: 'Renew now' }).isDisabled()).toBe(true);
    expect((await h.tokens.getAuthorizer('wx_shop_1', A))?.status).toBe('revoked');
    await screenshot(page, '6-authorizer-revoked');
  });

  it('keyboard: the filters and the table links are reachable by Tab, with a visible focus ring', async () => {
    await page.goto(`${consoleUrl}#/authorizers`);
    await page.getByRole('link', { name: 'wx_shop_2' }).waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return undefined;
        const style = getComputedStyle(e);
        return { label: e.id || e.textContent || '', outline: style.outlineStyle, width: style.outlineWidth };
      });
      if (!focused) continue;
      reached.add(focused.label);
      expect([focused.label, focused.outline]).toEqual([focused.label, 'solid']);
    }
    for (const id of ['f-status', 'f-appIdPrefix', 'f-expiringWithinMinutes', 'Apply filters', 'wx_shop_2'])
      expect([...reached]).toContain(id);
  });

  it('CSP is enforced on the operator context: no injected inline script, no eval, no HTML string sinks', async () => {
    // A page of its own: what this test injects must not stay in the operator's page.
    const fresh = await operator.newPage();
    await fresh.goto(consoleUrl);
    await fresh.getByRole('row', { name: new RegExp(A) }).waitFor();
    const outcome = await fresh.evaluate(async () => {
      const w = window as Record<string, unknown>;
      const attempt = (run: () => void) => {
        try {
          run();
          return 'ran';
        } catch (e) {
          return (e as Error).name;
        }
      };
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e: { effectiveDirective: string }) =>
        violations.push(e.effectiveDirective),
      );
      // An inline script: Trusted Types refuse its text; given as a text node, it is refused at run time.
      const script = document.createElement('script');
      const scriptText = attempt(() => (script.textContent = 'window.__inline = 1'));
      script.append(document.createTextNode('window.__inline = 2'));
      document.body.append(script);
      // An inline event handler (markup a merchant might smuggle in): refused as well.
      const img = document.createElement('img');
      const handler = attempt(() => img.setAttribute('onerror', 'window.__handler = 1'));
      img.src = 'data:image/png;base64,AAAA';
      document.body.append(img);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The point: CSP must refuse eval.
      const evalOutcome = attempt(() => eval('1'));
      const sink = attempt(() => document.body.insertAdjacentHTML('beforeend', '<b id="injected">x</b>'));
      return {
        scriptText,
        inline: w.__inline,
        handler,
        handlerRan: w.__handler,
        evalOutcome,
        sink,
        injected: !!document.getElementById('injected'),
        violations: [...new Set(violations)].sort(),
      };
    });
    expect(outcome).toEqual({
      scriptText: 'TypeError',
      inline: undefined,
      handler: 'TypeError',
      handlerRan: undefined,
      evalOutcome: 'EvalError',
      sink: 'TypeError',
      injected: false,
      violations: expect.arrayContaining(['require-trusted-types-for']),
    });
    await fresh.close();
  });

  it('hostile values from the URL and from the store show as text and run nothing', async () => {
    const script = '<script>window.__xss=2</script>';
    await page.goto(`${consoleUrl}#/authorizers?appIdPrefix=${encodeURIComponent(script)}`);
    await page.getByText('The admin API answered 400').waitFor();
    expect(await page.getByLabel('Appid starts with').inputValue()).toBe(script);

    await page.goto(`${consoleUrl}#/authorizer/${A}/${encodeURIComponent(HOSTILE)}`);
    await page.getByText('The admin API answered 400').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Authorizer ${HOSTILE}`);

    await page.goto(`${consoleUrl}#/authorizers?status=revoked`);
    await page.getByRole('row', { name: /onerror/ }).waitFor();
    expect(await page.locator('tbody th').allTextContents()).toContain(HOSTILE);
    await screenshot(page, '7-hostile-as-text');
    expect(await page.evaluate(() => (window as Record<string, unknown>).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });

  it('on Fastify too, with its own prefix: the page loads its files, reaches the API and acts', async () => {
    const fastify = await startHarness({
      adapter: 'fastify',
      globalPrefix: 'ops',
      options: {
        routePrefix: 'platform',
        admin: {
          enabled: true,
          basicAuth: { username: USER, passwordHash: await hashAdminPassword(PASSWORD, { N: 1024 }) },
        },
      },
    });
    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    try {
      await fastify.fake.pushTicket(fastify.eventsUrl(), A);
      await merchantAuthorizes(fastify, 'wx_fastify_1');
      expect(fastify.routesUrl).toMatch(/\/ops\/platform$/);
      const p = await context.newPage();
      await p.goto(`${fastify.routesUrl}/console#/authorizer/${A}/wx_fastify_1`);
      await p.getByRole('heading', { name: 'Authorizer wx_fastify_1' }).waitFor();
      fastify.clock.advance(60_000);
      await p.getByRole('button', { name: 'Renew now' }).click();
      await p.getByText('Renewed: the access token of wx_fastify_1 now expires at').waitFor();
      expect(fastify.fake.calls('api_authorizer_token')).toBe(1);
      await screenshot(p, '8-fastify-authorizer');
    } finally {
      await context.close();
      await fastify.fake.settle();
      await fastify.close();
    }
  });

  it('nothing the browser received holds a credential the emulator issued or the app was given', async () => {
    const credentials = [
      COMPONENT_A.appSecret,
      COMPONENT_B.appSecret,
      COMPONENT_A.encodingAesKey,
      COMPONENT_B.encodingAesKey,
      PASSWORD,
      await h.tokens.getComponentAccessToken(A),
      ...(await Promise.all(['wx_shop_2', 'wx_other_3'].map((id) => h.tokens.getAuthorizerAccessToken(id)))),
      ...['wx_shop_2', 'wx_other_3'].map((id) => h.fake.authorizerState(A, id)?.refreshToken),
      ...h.fake.authorizationPushes().map((p) => p.authorizationCode),
    ].filter((c): c is string => typeof c === 'string' && c.length >= 8);
    expect(credentials.length).toBeGreaterThan(6);
    const urls = received.map((r) => new URL(r.url).pathname);
    for (const asset of [
      '/console',
      '/console/console.js',
      '/console/console.css',
      '/admin/components',
      '/admin/authorizers',
    ])
      expect(urls.some((u) => u.endsWith(asset))).toBe(true);
    for (const { url, body } of received)
      for (const credential of credentials) expect([url, body.includes(credential)]).toEqual([url, false]);
  });
});
