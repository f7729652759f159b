import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Get, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { Readable } from 'node:stream';
import { defer, firstValueFrom, isObservable, of, type Observable } from 'rxjs';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { AsAuthorizer } from './as-authorizer.decorator.js';
import { authorizerContext } from './authorizer-context.js';

const current = () => authorizerContext.getStore()?.authorizerAppId;

class Subject {
  @Get('above')
  @AsAuthorizer('wx_below_get')
  below(): string | undefined {
    return current();
  }

  @AsAuthorizer('wx_above_get')
  @Get('below')
  above(): string | undefined {
    return current();
  }

  @AsAuthorizer((id: string) => id, { componentAppId: 'wx_component' })
  async resolved(id: string, delayMs: number): Promise<[string | undefined, string | undefined]> {
    await new Promise((r) => setTimeout(r, delayMs));
    return [current(), authorizerContext.getStore()?.componentAppId];
  }

  @AsAuthorizer(() => '')
  syncNobody(): void {}

  @AsAuthorizer('wx_outer')
  async outer(): Promise<[string | undefined, string | undefined, string | undefined]> {
    const before = current();
    const inner = await this.inner();
    return [before, inner, current()];
  }

  @AsAuthorizer('wx_inner')
  async inner(): Promise<string | undefined> {
    return current();
  }

  /** Cold: reads the scope when subscribed, not when called. */
  @AsAuthorizer((id: string) => id)
  observed(_id: string): Observable<string | undefined> {
    return defer(() => of(current()));
  }

  @AsAuthorizer('wx_generator')
  async *generated(): AsyncGenerator<string | undefined> {
    yield current();
    await new Promise((r) => setTimeout(r, 1));
    yield current();
  }

  @AsAuthorizer('wx_stream')
  stream(): Readable {
    return Readable.from(['a']);
  }
}

// Compile-time checks (npm run typecheck runs tsc over specs): an unused @ts-expect-error fails the
// build, so these lines prove a resolver that does not fit the method is refused by the compiler.
class Mismatched {
  // @ts-expect-error the resolver takes a number, the method's first parameter is a string
  @AsAuthorizer((n: number) => String(n))
  wrongType(id: string): string {
    return id;
  }

  // @ts-expect-error the resolver asks for two parameters, the method has one
  @AsAuthorizer((id: string, other: string) => id + other)
  tooMany(id: string): string {
    return id;
  }

  @AsAuthorizer((shop: { appId: string }) => shop.appId) // leading parameters only: fine
  leading(shop: { appId: string }, page: number): number {
    return page;
  }
}

describe('@AsAuthorizer', () => {
  const s = new Subject();

  it('sets the scope for the call only', () => {
    expect(s.below()).toBe('wx_below_get');
    expect(current()).toBeUndefined();
  });

  it('keeps route metadata whichever order it is stacked with @Get', () => {
    for (const [method, path] of [
      [Subject.prototype.below, 'above'],
      [Subject.prototype.above, 'below'],
    ] as const) {
      expect(Reflect.getMetadata(PATH_METADATA, method)).toBe(path);
      expect(Reflect.getMetadata(METHOD_METADATA, method)).toBe(RequestMethod.GET);
    }
    expect(Subject.prototype.below.name).toBe('below');
  });

  it('isolates concurrent calls and survives timers', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => s.resolved(`wx_${i}`, (i * 7) % 13)));
    results.forEach(([appId, component], i) => {
      expect(appId).toBe(`wx_${i}`);
      expect(component).toBe('wx_component');
    });
  });

  it('nests: the inner scope applies inside, the outer one resumes after', async () => {
    expect(await s.outer()).toEqual(['wx_outer', 'wx_inner', 'wx_outer']);
  });

  it('an Observable returned runs inside the scope whenever it is subscribed', async () => {
    const observed = s.observed('wx_observed');
    expect(isObservable(observed)).toBe(true);
    await new Promise((r) => setTimeout(r, 1));
    expect(await firstValueFrom(observed)).toBe('wx_observed');
    expect(current()).toBeUndefined();
  });

  it('an async generator returned runs each step inside the scope', async () => {
    const steps: Array<string | undefined> = [];
    for await (const step of s.generated()) steps.push(step, current());
    expect(steps).toEqual(['wx_generator', undefined, 'wx_generator', undefined]);
  });

  it('a stream is returned as it is (its work is driven by its own I/O)', () => {
    expect(s.stream()).toBeInstanceOf(Readable);
  });

  it('a sync method throws a clear error when the resolver yields nothing', () => {
    expect(() => s.syncNobody()).toThrow(OpenPlatformError);
    expect(() => s.syncNobody()).toThrow(/Subject\.syncNobody/);
  });

  it.each([
    ['100 KB', 'a'.repeat(100_000)],
    ['unicode', '店铺'],
    ['__proto__', '__proto__'],
    ['too long by one', 'w'.repeat(33)],
    ['not a string', 42],
  ])('a resolver result that is no appid (%s) is INVALID_ARGUMENT before the method runs', async (_n, appId) => {
    let ran = false;
    class Route {
      @AsAuthorizer((id: unknown) => id as string)
      async handle(_id: unknown): Promise<void> {
        ran = true;
      }
    }
    const err = await new Route().handle(appId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenPlatformError);
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.INVALID_ARGUMENT, platform: 'library' });
    expect((err as Error).message).toMatch(/Route\.handle/);
    if (typeof appId === 'string') expect((err as Error).message).not.toContain(appId);
    expect(ran).toBe(false);
  });

  it('a resolver typed against the method still runs with the method arguments', () => {
    const m = new Mismatched();
    expect(m.leading({ appId: 'wx_leading' }, 3)).toBe(3);
    expect(m.wrongType('wx_1')).toBe('wx_1');
  });

  it('refuses to decorate what is not a method', () => {
    expect(() => AsAuthorizer(42 as unknown as string)).toThrow(TypeError);
  });
});
