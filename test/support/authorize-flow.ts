import { expect } from '@jest/globals';
import { COMPONENT_A } from './fixtures.js';
import type { Harness } from './harness.js';

export async function getManual(url: string): Promise<{ status: number; location: string | null; body: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

/**
 * A merchant goes through the whole browser flow: the app's …/authorize → the platform's page →
 * the app's …/authorized. Returns the JSON the app answered.
 */
export async function merchantAuthorizes(
  h: Pick<Harness, 'fake' | 'routesUrl'>,
  authorizerAppId: string,
  opts: { funcIds?: number[]; grantApi?: boolean; componentAppId?: string } = {},
) {
  const componentAppId = opts.componentAppId ?? COMPONENT_A.appId;
  h.fake.queueMerchant({ componentAppId, authorizerAppId, funcIds: opts.funcIds ?? [1, 15], grantApi: opts.grantApi });
  const start = await getManual(`${h.routesUrl}/${componentAppId}/authorize`);
  expect(start.status).toBe(302);
  const page = await getManual(start.location!);
  expect(page.status).toBe(302);
  const back = await fetch(page.location!);
  const body = (await back.json()) as { authorizerAppId: string; status: string };
  return { status: back.status, body, pageUrl: start.location!, redirectedTo: page.location! };
}
