import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

// The README's first command runs this app (built by `npm run build:sample`, which `npm test`
// runs first). It must reach "ready" with no configuration, against the in-process emulator.
describe('sample app', () => {
  it('starts with no configuration: on WeChat and on Douyin, ticket push, component token, merchant onboarding, a business call', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NODE_OPTIONS: '', NO_COLOR: '1' };
    delete env.WECHAT_COMPONENT_APPID;
    const child = spawn(process.execPath, [join(root, 'sample-app/dist/main.js')], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        // Ready, then each merchant's token renewed by the scheduler with nobody calling.
        if (
          output.includes('; ready') &&
          /wechat: the scheduler renewed/.test(output) &&
          /douyin: the scheduler renewed/.test(output)
        )
          resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`sample app exited with ${code}:\n${output}`)));
    });
    try {
      await ready;
      expect(output).toContain('wechat: emulator pushed a verify ticket: HTTP 200 success');
      expect(output).toContain('wechat: obtained a component token from the emulator');
      expect(output).toContain('wechat: merchant onboarded: {"authorizerAppId":"wx_sample_shop","status":"active"}');
      expect(output).toContain('wechat: getaccountbasicinfo as wx_sample_shop: errcode 0, appid wx_sample_shop');
      expect(output).toContain('douyin: emulator pushed a verify ticket: HTTP 200 success');
      expect(output).toContain('douyin: obtained a component token from the emulator');
      expect(output).toContain('douyin: merchant onboarded: {"authorizerAppId":"tt_sample_shop","status":"active"}');
      expect(output).toContain('douyin: basic_info/get_info as tt_sample_shop: err_no 0');
      expect(output).toContain('wechat: the scheduler renewed the token of wx_sample_shop before it expired');
      expect(output).toContain('douyin: the scheduler renewed the token of tt_sample_shop before it expired');
      expect(output).toContain('scheduled renewal is on');
      expect(output).not.toContain('sample-douyin-secret');
      expect(output).not.toContain('sample-secret');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
