import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { hashAdminPassword } from '../lib/index.js';
import { COMPONENT_A } from './support/fixtures.js';
import { ADAPTERS, startHarness, type Harness } from './support/harness.js';
import { merchantAuthorizes } from './support/authorize-flow.js';

// The console's page and files over plain HTTP on both adapters: served only when the admin API
// is enabled, behind the same protection and headers, with a CSP that allows its own files only.
// (The browser suite, console-browser.e2e-spec.ts, drives the page itself.)

const USER = 'ops';
const PASSWORD = 'console passphrase';
let passwordHash: string;
const auth = (password = PASSWORD) => `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`;
const FILES: Array<[string, RegExp]> = [
  ['/console', /^text\/html; charset=utf-8$/],
  ['/console/console.js', /^text\/javascript; charset=utf-8$/],
  ['/console/console.css', /^text\/css; charset=utf-8$/],
];

beforeAll(async () => {
  passwordHash = await hashAdminPassword(PASSWORD, { N: 1024 });
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.fake.settle();
  await h?.close();
  h = undefined;
});

function expectPageHeaders(headers: Headers): void {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("require-trusted-types-for 'script'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
}

describe('console off by default', () => {
  it('the page and its files answer 404 without admin.enabled', async () => {
    h = await startHarness({});
    for (const [path] of FILES)
      expect((await fetch(`${h.routesUrl}${path}`, { headers: { authorization: auth() } })).status).toBe(404);
  });
});

describe.each(ADAPTERS)('console on %s under a global prefix', (adapter) => {
  const start = () =>
    startHarness({
      adapter,
      globalPrefix: 'api/v1',
      options: { admin: { enabled: true, basicAuth: { username: USER, passwordHash, maxFailures: 100 } } },
    });

  it('refuses without or with wrong credentials (401), with the API security headers', async () => {
    h = await start();
    for (const [path] of FILES) {
      for (const authorization of [undefined, auth('wrong'), 'Basic', 'Bearer abc']) {
        const res = await fetch(`${h.routesUrl}${path}`, authorization ? { headers: { authorization } } : {});
        expect([path, res.status]).toEqual([path, 401]);
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(await res.text()).not.toContain('console.js');
      }
    }
  });

  it('serves the page and its files with their types, the page CSP and no caching; assets found under the prefix', async () => {
    h = await start();
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    await merchantAuthorizes(h, 'wx_shop_1');
    const bodies: string[] = [];
    for (const [path, type] of FILES) {
      const res = await fetch(`${h.routesUrl}${path}`, { headers: { authorization: auth() } });
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers.get('content-type')).toMatch(type);
      expectPageHeaders(res.headers);
      bodies.push(await res.text());
    }
    const [html, script] = bodies;
    const base = new URL(h.routesUrl).pathname;
    expect(base).toBe('/api/v1/open-platform');
    expect(html).toContain(`<script type="module" src="${base}/console/console.js"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${base}/console/console.css" />`);
    expect(html).toContain(`<meta name="op-admin-api" content="${base}/admin" />`);
    expect(html).toMatch(/<html lang="en">/);
    // No inline script or style: CSP would block them, so none may be needed.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
    expect(script.replace(/^\s*\/\/.*$/gm, '')).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
    );
    // A trailing slash finds the same files (Express routes it; Fastify answers 404, never another page).
    const slash = await fetch(`${h.routesUrl}/console/`, { headers: { authorization: auth() } });
    if (slash.status === 200) expect(await slash.text()).toContain(`src="${base}/console/console.js"`);
    else expect(slash.status).toBe(404);
    // No credential the emulator issued or the app was given.
    const credentials = [
      COMPONENT_A.appSecret,
      COMPONENT_A.encodingAesKey,
      PASSWORD,
      h.fake.authorizerState(COMPONENT_A.appId, 'wx_shop_1')?.refreshToken,
      await h.tokens.getAuthorizerAccessToken('wx_shop_1'),
      await h.tokens.getComponentAccessToken(COMPONENT_A.appId),
    ].filter((c): c is string => typeof c === 'string' && c.length >= 8);
    expect(credentials.length).toBe(6);
    for (const body of bodies) for (const c of credentials) expect(body).not.toContain(c);
  });

  it('unknown files under the console and oversized URLs are refused (4xx)', async () => {
    h = await start();
    for (const path of [
      '/console/index.html',
      '/console/app.js',
      '/console/%2e%2e%2fpackage.json',
      '/console/console.js/x',
    ]) {
      const res = await fetch(`${h.routesUrl}${path}`, { headers: { authorization: auth() } });
      expect([path, res.status >= 400 && res.status < 500 && res.status !== 401]).toEqual([path, true]);
    }
    const long = await fetch(`${h.routesUrl}/console?${'a'.repeat(3000)}`, { headers: { authorization: auth() } });
    expect(long.status).toBeGreaterThanOrEqual(400);
    expect(long.status).toBeLessThan(500);
  });
});

describe('console behind the app guard', () => {
  @Injectable()
  class HeaderGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const req = context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
      return req.headers['x-test-user'] === 'alice';
    }
  }

  it.each(ADAPTERS)('on %s: 403 unless the guard allows', async (adapter) => {
    h = await startHarness({ adapter, options: { admin: { enabled: true, guard: HeaderGuard } } });
    for (const [path] of FILES) {
      const refused = await fetch(`${h.routesUrl}${path}`);
      expect([path, refused.status]).toEqual([path, 403]);
      const allowed = await fetch(`${h.routesUrl}${path}`, { headers: { 'x-test-user': 'alice' } });
      expect([path, allowed.status]).toEqual([path, 200]);
      expectPageHeaders(allowed.headers);
    }
  });
});
