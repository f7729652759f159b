import { readFile } from 'node:fs/promises';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../../testing/index.js';
import { CliFailure, UsageError } from '../core/cli-errors.js';
import { out, say } from '../core/cli-io.js';
import type { CliCommand } from '../core/command.js';
import { ExitCode } from '../core/exit-codes.js';
import { intOption, stringOption } from '../core/options.js';
import { commonRoutes } from './common-routes.js';
import { ControlServer } from './control-server.js';
import { douyinRoutes } from './douyin-routes.js';
import { emulatorConfig } from './emulator-config.js';
import { Emulators } from './emulators.js';
import { wechatRoutes } from './wechat-routes.js';

/** The control API's version: its routes are under `/_control/v{n}`; a breaking change bumps it. */
export const CONTROL_API_VERSION = 1;

/** `emulator`: both platform emulators as one standalone server, with an HTTP control API. */
export const emulatorCommand: CliCommand = {
  name: 'emulator',
  summary: 'run the WeChat and Douyin emulators standalone, with an HTTP control API',
  usage: 'emulator [--port <n>] [--wechat-components <n>] [--douyin-components <n>] [--config <file.json>]',
  help: `
Starts FakeWeChatPlatform and FakeDouyinPlatform on loopback and a control API at
http://127.0.0.1:<port>/_control/v1 (see docs/cli.md for its routes). Prints one JSON line on
stdout once listening: the control URL, each emulator's baseUrl (the apiBaseUrl of your app) and
every component's appId, appSecret, token and encodingAesKey. Stops on SIGTERM or SIGINT.

Options:
  --port <n>                control API port (default 0: a free port)
  --wechat-components <n>   WeChat components with random credentials (default 1)
  --douyin-components <n>   Douyin components with random credentials (default 1)
  --config <file.json>      {port, wechat: {port, components, ...lifetimes}, douyin: {port, apiVersion, ...}}
`,
  options: {
    port: { type: 'string' },
    'wechat-components': { type: 'string' },
    'douyin-components': { type: 'string' },
    config: { type: 'string' },
  },
  async run(values, _positionals, io) {
    const configPath = stringOption(values, 'config');
    let file: unknown;
    if (configPath !== undefined) {
      try {
        file = JSON.parse(await readFile(configPath, 'utf8'));
      } catch (err) {
        throw new UsageError(`--config ${configPath}: ${(err as Error).message}`);
      }
    }
    const count = (name: string) => (values[name] === undefined ? undefined : intOption(values, name, 0, 0, 1000));
    const config = emulatorConfig(file, {
      port: values.port === undefined ? undefined : intOption(values, 'port', 0, 0, 65535),
      wechatComponents: count('wechat-components'),
      douyinComponents: count('douyin-components'),
    });

    const wechat = new FakeWeChatPlatform(config.wechat.options);
    const douyin = new FakeDouyinPlatform(config.douyin.options);
    const emulators = new Emulators(wechat, douyin);
    const description: { info?: unknown } = {};
    const control = new ControlServer([
      { method: 'GET', pattern: '/_control/v1', handler: () => description.info },
      ...wechatRoutes(wechat),
      ...douyinRoutes(douyin),
      ...commonRoutes(emulators),
    ]);
    const stopAll = () => Promise.allSettled([control.stop(), wechat.stop(), douyin.stop()]);
    try {
      await wechat.start(config.wechat.port);
      await douyin.start(config.douyin.port);
      await control.start(config.port);
    } catch (err) {
      await stopAll();
      throw new CliFailure(`the emulator could not start: ${(err as Error).message}`);
    }
    const info = {
      controlApiVersion: CONTROL_API_VERSION,
      control: `${control.baseUrl}/_control/v${CONTROL_API_VERSION}`,
      wechat: {
        baseUrl: wechat.baseUrl,
        authorizePageUrl: wechat.authorizePageUrl,
        h5AuthorizePageUrl: wechat.h5AuthorizePageUrl,
        components: config.wechat.options.components,
      },
      douyin: {
        baseUrl: douyin.baseUrl,
        apiVersion: config.douyin.options.apiVersion ?? 'v2',
        authorizePageUrl: douyin.authorizePageUrl,
        components: config.douyin.options.components,
      },
    };
    description.info = info;
    // One line, so a script can read it with `head -n 1` (or readline) and parse it.
    out(io, JSON.stringify(info));
    const signal = await io.stopRequested;
    say(io, `emulator: ${signal} received, stopping`);
    await stopAll();
    return ExitCode.OK;
  },
};
