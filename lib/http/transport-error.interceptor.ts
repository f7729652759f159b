import { Injectable } from '@nestjs/common';
import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { ApiOrigins } from './api-origins.js';
import { injectedBy } from './token.interceptor.js';
import { requestUrl } from './request-url.js';
import { transportError } from './transport-error.js';

/**
 * Makes every failure out of `OpenPlatformHttpService` an `OpenPlatformError`: a raw `AxiosError`
 * holds the request config, whose query carries the token, and Nest's default exception handler
 * would print it. Installed last, so it also sees what the other interceptors threw.
 */
@Injectable()
export class TransportErrorInterceptor {
  constructor(private readonly origins: ApiOrigins) {}

  install(http: AxiosInstance): void {
    http.interceptors.response.use(undefined, (err: unknown) => {
      throw err instanceof OpenPlatformError ? err : this.translate(err);
    });
  }

  private translate(err: unknown): OpenPlatformError {
    const config = (err as { config?: InternalAxiosRequestConfig } | undefined)?.config;
    if (!config) return transportError(err, { platform: 'library', secrets: [] });
    const injected = injectedBy(config);
    const request = { params: config.params as unknown, headers: config.headers, url: requestUrl(config) };
    // Whatever token the request carried, injected or the caller's own, under any platform's names.
    const secrets = [
      ...(injected ? [injected.token] : []),
      ...this.origins.adapters.flatMap((a) => a.carriedTokens(request)),
    ];
    const platform = injected?.component.platform ?? this.origins.adaptersFor(config)[0]?.platform ?? 'library';
    return transportError(err, { platform, secrets });
  }
}
