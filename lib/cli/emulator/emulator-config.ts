import { randomBytes } from 'node:crypto';
import type {
  FakeDouyinComponent,
  FakeDouyinPlatformOptions,
  FakeWeChatComponent,
  FakeWeChatPlatformOptions,
} from '../../testing/index.js';
import { UsageError } from '../core/cli-errors.js';

/** What `emulator` starts: both emulators and the control API, each on its port (0: a free one). */
export interface EmulatorConfig {
  port: number;
  wechat: { port: number; options: FakeWeChatPlatformOptions };
  douyin: { port: number; options: FakeDouyinPlatformOptions };
}

/** Numeric emulator options a config file may set (the emulators validate their ranges). */
const WECHAT_NUMBERS = [
  'componentTokenExpiresIn',
  'componentTokenGraceSeconds',
  'ticketLifetimeSeconds',
  'authorizerTokenExpiresIn',
  'authorizerTokenGraceSeconds',
  'preAuthCodeExpiresIn',
  'authCodeExpiresIn',
] as const;
const DOUYIN_NUMBERS = [
  'componentTokenExpiresIn',
  'componentTokenGraceSeconds',
  'componentTokenRenewWindowSeconds',
  'ticketLifetimeSeconds',
  'authorizerTokenExpiresIn',
  'refreshTokenExpiresIn',
  'preAuthCodeExpiresIn',
  'authCodeExpiresIn',
] as const;
const MAX_COMPONENTS = 1000;

/** A component with random credentials (appids shaped like the platforms': `wx…` / `tt…`). */
export function generatedComponent(platform: 'wechat' | 'douyin', index: number): FakeWeChatComponent {
  const prefix = platform === 'wechat' ? 'wx' : 'tt';
  return {
    appId: `${prefix}${randomBytes(7).toString('hex')}${String(index).padStart(2, '0')}`.slice(0, 18),
    appSecret: randomBytes(16).toString('hex'),
    token: randomBytes(8).toString('hex'),
    // 43 characters of the EncodingAESKey alphabet (base64 without padding).
    encodingAesKey: randomBytes(32).toString('base64').replace(/[+/=]/g, 'A').slice(0, 43),
  };
}

/** Builds the configuration from a parsed config file (if any) and the command-line counts. */
export function emulatorConfig(
  file: unknown,
  flags: { port?: number; wechatComponents?: number; douyinComponents?: number },
): EmulatorConfig {
  const root = file === undefined ? {} : object(file, 'the config file');
  allowOnly(root, ['port', 'wechat', 'douyin'], 'the config file');
  const wechat = root.wechat === undefined ? {} : object(root.wechat, 'wechat');
  const douyin = root.douyin === undefined ? {} : object(root.douyin, 'douyin');
  allowOnly(wechat, ['port', 'components', ...WECHAT_NUMBERS, 'pushBeforeRedirect'], 'wechat');
  allowOnly(douyin, ['port', 'components', 'apiVersion', 'prefixedErrorCodes', ...DOUYIN_NUMBERS], 'douyin');

  const wechatOptions: FakeWeChatPlatformOptions = {
    components: components('wechat', wechat.components, flags.wechatComponents),
  };
  for (const key of WECHAT_NUMBERS) if (wechat[key] !== undefined) wechatOptions[key] = number(wechat[key], key);
  if (wechat.pushBeforeRedirect !== undefined) {
    if (typeof wechat.pushBeforeRedirect !== 'boolean')
      throw new UsageError('wechat.pushBeforeRedirect must be a boolean');
    wechatOptions.pushBeforeRedirect = wechat.pushBeforeRedirect;
  }
  const douyinOptions: FakeDouyinPlatformOptions = {
    components: components('douyin', douyin.components, flags.douyinComponents),
  };
  for (const key of DOUYIN_NUMBERS) if (douyin[key] !== undefined) douyinOptions[key] = number(douyin[key], key);
  if (douyin.apiVersion !== undefined) {
    if (douyin.apiVersion !== 'v1' && douyin.apiVersion !== 'v2')
      throw new UsageError("douyin.apiVersion must be 'v1' or 'v2'");
    douyinOptions.apiVersion = douyin.apiVersion;
  }
  if (douyin.prefixedErrorCodes !== undefined) {
    const p = douyin.prefixedErrorCodes;
    if (p !== 'documented' && !(Array.isArray(p) && p.every((e) => typeof e === 'string')))
      throw new UsageError("douyin.prefixedErrorCodes must be 'documented' or a list of endpoint names");
    douyinOptions.prefixedErrorCodes = p as FakeDouyinPlatformOptions['prefixedErrorCodes'];
  }
  return {
    port: flags.port ?? port(root.port, 'port'),
    wechat: { port: port(wechat.port, 'wechat.port'), options: wechatOptions },
    douyin: { port: port(douyin.port, 'douyin.port'), options: douyinOptions },
  };
}

function components(
  platform: 'wechat' | 'douyin',
  given: unknown,
  count: number | undefined,
): FakeWeChatComponent[] | FakeDouyinComponent[] {
  const listed: FakeWeChatComponent[] = [];
  if (typeof given === 'number') count ??= given;
  else if (Array.isArray(given)) {
    given.forEach((c, i) => listed.push(component(c, `${platform}.components[${i}]`)));
  } else if (given !== undefined) throw new UsageError(`${platform}.components must be a number or a list`);
  const total = count ?? (listed.length > 0 ? 0 : 1);
  if (!Number.isInteger(total) || total < 0 || total > MAX_COMPONENTS)
    throw new UsageError(`the number of ${platform} components must be between 0 and ${MAX_COMPONENTS}`);
  for (let i = 0; i < total; i++) listed.push(generatedComponent(platform, listed.length + 1));
  const seen = new Set<string>();
  for (const c of listed) {
    if (seen.has(c.appId)) throw new UsageError(`${platform}: component ${c.appId} is listed twice`);
    seen.add(c.appId);
  }
  return listed;
}

function component(value: unknown, where: string): FakeWeChatComponent {
  const c = object(value, where);
  allowOnly(c, ['appId', 'appSecret', 'token', 'encodingAesKey'], where);
  const generated = generatedComponent('wechat', 0);
  const text = (name: keyof FakeWeChatComponent): string => {
    const v = c[name];
    if (v === undefined && name !== 'appId') return generated[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > 128)
      throw new UsageError(`${where}.${name} must be a non-empty string of at most 128 characters`);
    return v;
  };
  const result = {
    appId: text('appId'),
    appSecret: text('appSecret'),
    token: text('token'),
    encodingAesKey: text('encodingAesKey'),
  };
  if (!/^[A-Za-z0-9]{43}$/.test(result.encodingAesKey))
    throw new UsageError(`${where}.encodingAesKey must be 43 characters of A-Z a-z 0-9`);
  return result;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function allowOnly(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new UsageError(`${where}: unknown field(s) ${unknown.join(', ')}`);
}

function number(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new UsageError(`${name} must be a number`);
  return value;
}

function port(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535)
    throw new UsageError(`${name} must be a port number (0-65535)`);
  return value;
}
