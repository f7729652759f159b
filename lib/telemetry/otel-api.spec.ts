import { describe, expect, it } from '@jest/globals';
import { loadOtelApi, OTEL_API_PACKAGE } from './otel-api.js';
import { Telemetry } from './telemetry.service.js';

const missing = (code: string) => () => Promise.reject(Object.assign(new Error(`no ${OTEL_API_PACKAGE}`), { code }));

describe('loading @opentelemetry/api (an optional peer)', () => {
  it.each(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'])(
    'answers undefined when it is not installed (%s)',
    async (code) => {
      await expect(loadOtelApi(missing(code))).resolves.toBeUndefined();
    },
  );

  it('throws any other failure of the import: a broken install is not silently unobserved', async () => {
    await expect(loadOtelApi(missing('ERR_INVALID_PACKAGE_CONFIG'))).rejects.toThrow(`no ${OTEL_API_PACKAGE}`);
  });

  it('loads the real package when it is installed', async () => {
    const api = await loadOtelApi();
    expect(typeof api?.trace.getTracer).toBe('function');
    expect(typeof api?.metrics.getMeter).toBe('function');
  });

  it('without the package, every instrument runs the work itself and emits nothing', async () => {
    const telemetry = await Telemetry.create(missing('ERR_MODULE_NOT_FOUND'));
    expect(telemetry.enabled).toBe(false);
    const call = { platform: 'wechat', componentAppId: 'wx_c', endpoint: 'api_component_token' };
    await expect(telemetry.upstream(call, 1, async () => 'answer')).resolves.toBe('answer');
    await expect(telemetry.upstream(call, 2, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    const work = async () => ({ renewed: true, token: 't' });
    await expect(telemetry.renewal('authorizer', { platform: 'wechat', appId: 'wx_c' }, false, work)).resolves.toEqual({
      renewed: true,
      token: 't',
    });
    let handled = false;
    await telemetry.push({ platform: 'wechat', appId: 'wx_c' }, async () => void (handled = true));
    expect(handled).toBe(true);
    // Lookups are still counted as plain numbers (nothing reads them).
    const component = { platform: 'wechat', appId: 'wx_c' };
    telemetry.tally(component).authorizerHits++;
    expect(telemetry.tally(component)).toMatchObject({ component: 'wx_c', authorizerHits: 1, authorizerMisses: 0 });
  });
});
