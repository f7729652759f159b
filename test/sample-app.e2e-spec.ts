import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

// The README's first command runs this app (built by `npm run build:sample`, which `npm test`
// runs first). It must reach "ready" with no configuration, against the in-process emulator.
describe('sample app', () => {
  it('starts with no configuration: on WeChat and on Douyin, ticket push, component token, onboarding, a business call through @AsAuthorizer, scheduled renewal, another call', async () => {
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
        if (output.includes('ready: ')) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`sample app exited with ${code}:\n${output}`)));
    });
    try {
      await ready;
      const lines = output.trim().split('\n');
      for (const p of [
        { name: 'wechat', id: 'wx_sample_component', shop: 'wx_sample_shop', ok: 'errcode 0, appid wx_sample_shop' },
        { name: 'douyin', id: 'tt_sample_component', shop: 'tt_sample_shop', ok: 'err_no 0, app_id tt_sample_shop' },
      ]) {
        // One plain line per step, in order.
        const steps = [
          `${p.name}: the emulator pushed a verify ticket to POST /open-platform/${p.id}/events → 200 success`,
          `${p.name}: component token obtained with the ticket (valid `,
          `${p.name}: merchant ${p.shop} authorized via /authorize → consent page → /authorized (active)`,
          `${p.name}: business call as ${p.shop} succeeded: GET /shops/${p.name}/${p.shop}/info → ${p.ok}`,
          `${p.name}: the scheduler renewed ${p.shop}'s token before it expired, with nobody calling`,
          `${p.name}: business call as ${p.shop} succeeded again, on the renewed token: GET /shops/${p.name}/${p.shop}/info → ${p.ok}`,
        ];
        const at = steps.map((step) => lines.findIndex((l) => l.startsWith(step)));
        expect(at.every((i) => i >= 0)).toBe(true);
        expect([...at].sort((a, b) => a - b)).toEqual(at);
      }
      // A user's text answered by the sample's one-line handler, through the message URL.
      expect(lines).toContain('wechat: a user wrote "hello" to wx_sample_shop; the handler answered "you said: hello"');
      // The operator console, announced once with its demo password: it answers with the password only.
      const login = lines
        .map((l) => /^operator console: (\S+) \(user (\S+), password (\S+), made for this run/.exec(l))
        .filter((m) => m !== null);
      expect(login).toHaveLength(1);
      const [, consoleUrl, user, password] = login[0];
      expect(consoleUrl).toMatch(/^http:\/\/.+\/open-platform\/console$/);
      expect(output.split(password).length).toBe(2);
      const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      expect((await fetch(consoleUrl)).status).toBe(401);
      const page = await fetch(consoleUrl, { headers: { authorization: basic } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('/open-platform/console/console.js');
      const components = await fetch(consoleUrl.replace(/\/console$/, '/admin/components'), {
        headers: { authorization: basic },
      });
      expect(components.status).toBe(200);
      const listed = (await components.json()) as { components: Array<{ componentAppId: string }> };
      expect(listed.components.map((c) => c.componentAppId)).toEqual(['wx_sample_component', 'tt_sample_component']);
      // The demo's plain lines only: the module's own log lines are shown with VERBOSE=1.
      expect(output).not.toMatch(/\b(WARN|ERROR)\b/);
      expect(output).not.toContain('sample-douyin-secret');
      expect(output).not.toContain('sample-secret');
      // No token: every long base64url-like word would be one (the emulators issue 64+ characters).
      expect(output).not.toMatch(/[A-Za-z0-9_-]{40,}/);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
