import { randomBytes } from 'node:crypto';

/** The platform's messages for the codes the emulator answers. */
export const DOUYIN_MESSAGES: Readonly<Record<number, string>> = {
  40001: '参数错误',
  40002: '缺少参数',
  40003: '找不到相关第三方小程序应用',
  40004: '找不到相关授权小程序',
  40009: '第三方小程序应用 component_access_token 已过期',
  40010: '第三方小程序应用 component_access_token 不正确',
  40018: '第三方小程序应用 authorization_code 不正确或者已过期',
  40020: '授权小程序 authorizer_access_token 已过期',
  40021: '授权小程序 authorizer_refresh_token 不正确或者已过期',
  40022: '该小程序未授权给此第三方小程序应用',
  40037: '第三方小程序应用 component_ticket 不正确',
  40038: '第三方小程序应用 component_appsecret 不正确',
  40040: '无效的 grant_type',
  40045: '生成 token 失败，请重试',
  28001003: 'access_token无效',
  28001008: 'access_token过期，请刷新或重新授权',
};

export function douyinMessage(code: number): string {
  return DOUYIN_MESSAGES[code] ?? DOUYIN_MESSAGES[unprefixed(code)] ?? 'injected error';
}

/** `40021` → `20040021`: the form some V2 pages document. */
export function prefixed(code: number): number {
  return Number(`200${code}`);
}

function unprefixed(code: number): number {
  const digits = String(code);
  return digits.startsWith('200') && digits.length > 5 ? Number(digits.slice(3)) : code;
}

/** V1 errors, and the V2 component-token endpoint's. */
export function flatError(code: number, message = douyinMessage(code)): { errno: number; message: string } {
  return { errno: code, message };
}

/** The V2 envelope around a successful answer. */
export function v2Success(data: unknown): { err_no: 0; err_msg: string; log_id: string; data: unknown } {
  return { err_no: 0, err_msg: '', log_id: logId(), data };
}

/** The V2 envelope of an error. */
export function v2Error(code: number, message = douyinMessage(code)) {
  return { err_no: code, err_msg: message, log_id: logId(), data: {} };
}

/** Like the platform's: a timestamp and random hex, useful only to tell answers apart. */
function logId(): string {
  return `2025${randomBytes(10).toString('hex').toUpperCase()}`;
}
