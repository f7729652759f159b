import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

/**
 * The standalone emulator driven by a client with no Node in it (test/cli/emulator-client.sh:
 * POSIX sh, curl, python3's standard library), as a test suite in another language would: the
 * claim "usable from any language's tests" rests on this.
 */
describe('CLI emulator from a non-Node client', () => {
  it('runs a full flow through the control API and the platform API, then stops on SIGTERM', async () => {
    const { stdout } = await run('sh', [join(root, 'test/cli/emulator-client.sh'), join(root, 'dist/cli/main.js')], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 50_000,
    });
    const facts = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => line.split('=') as [string, string]),
    );
    expect(facts).toEqual({
      control_version: '1',
      component_token_valid: 'true',
      wrong_secret_errcode: '40125',
      authorizer_status: 'authorized',
      authorizer_token_valid: 'true',
      business_errcode: '0',
      faulted_errcode: '61023',
      after_fault_has_token: 'True',
      gateway_status: '502',
      // Two component-token calls (one with a wrong secret); four refreshes before the revocation, two of them faulted.
      calls_api_component_token: '2',
      calls_api_query_auth: '1',
      calls_api_authorizer_token: '4',
      calls_one_endpoint: '4',
      revoked_errcode: '61023',
      revoked_token_valid: 'false',
      user_route_without_token: '41001',
      douyin_token_present: 'True',
      douyin_calls_tp_token: '1',
      bad_json_status: '400',
      unknown_kind_status: '400',
      unknown_component_status: '404',
      unknown_route_status: '404',
      // The refresh after the revocation, and nothing from the refused control calls.
      calls_unchanged: '5',
      emulator_exit: '0',
    });
  });
});
