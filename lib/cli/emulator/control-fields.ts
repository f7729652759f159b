import { ControlError } from './control-server.js';

type Body = Record<string, unknown>;

/** A string field of a control body: present and non-empty when `required`. */
export function text(body: Body, name: string, required: true): string;
export function text(body: Body, name: string, required?: false): string | undefined;
export function text(body: Body, name: string, required = false): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new ControlError(400, `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096)
    throw new ControlError(400, `${name} must be a non-empty string of at most 4096 characters`);
  return value;
}

/** A finite number field. */
export function num(body: Body, name: string, required: true): number;
export function num(body: Body, name: string, required?: false): number | undefined;
export function num(body: Body, name: string, required = false): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new ControlError(400, `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ControlError(400, `${name} must be a number`);
  return value;
}

/** A whole number field within [min, max]. */
export function int(body: Body, name: string, min: number, max: number): number | undefined {
  const value = num(body, name);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ControlError(400, `${name} must be a whole number between ${min} and ${max}`);
  return value;
}

/** A boolean field. */
export function bool(body: Body, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ControlError(400, `${name} must be true or false`);
  return value;
}

/** A list of whole numbers (permission ids). */
export function ints(body: Body, name: string): number[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 1000 || !value.every((v) => Number.isInteger(v)))
    throw new ControlError(400, `${name} must be a list of whole numbers`);
  return value as number[];
}

/** A JSON object field. */
export function obj(body: Body, name: string, required = false): Body | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new ControlError(400, `${name} is required`);
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new ControlError(400, `${name} must be a JSON object`);
  return value as Body;
}

/** Only these fields may be present: a typo is an error, not a silently ignored option. */
export function only(body: Body, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new ControlError(400, `unknown field(s): ${unknown.join(', ')}`);
}

/** Runs an emulator method, turning its refusals (unknown component, not authorized…) into a 400/404. */
export async function call<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    throw new ControlError(/unknown|never authorized|not authorized/i.test(message) ? 404 : 400, message);
  }
}
