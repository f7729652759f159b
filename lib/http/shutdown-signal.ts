import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import axios, { type AxiosInstance, type GenericAbortSignal, type InternalAxiosRequestConfig } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { reportableUrl, requestUrl } from './request-url.js';

/**
 * The module's one AbortController: every request of its axios instances carries its signal, so
 * `app.close()` aborts upstream calls still in flight instead of returning while they run on
 * (and keep sockets and timers alive) for seconds.
 */
@Injectable()
export class ShutdownSignal implements BeforeApplicationShutdown {
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get shuttingDown(): boolean {
    return this.controller.signal.aborted;
  }

  /**
   * Attaches the signal to every request of `http` (combined with the caller's own `signal`),
   * refuses new requests once shutting down, and turns the resulting cancellations into
   * `OpenPlatformError`s that say why. Install it after the other request interceptors so it runs
   * first: a refused request then does not go fetch a token first.
   */
  install(http: AxiosInstance): void {
    http.interceptors.request.use(
      (config) => {
        if (this.shuttingDown) throw this.error(config);
        if (config.signal !== this.signal) config.signal = combine(config.signal, this.signal);
        return config;
      },
      undefined,
      // Synchronous: requests that need nothing else keep axios' synchronous path.
      { synchronous: true },
    );
    http.interceptors.response.use(undefined, (err: unknown) => {
      throw this.shuttingDown && axios.isCancel(err)
        ? this.error((err as { config?: InternalAxiosRequestConfig }).config)
        : err;
    });
  }

  /** The error of a request refused or aborted because the module is shutting down. */
  error(config: InternalAxiosRequestConfig | undefined): OpenPlatformError {
    const method = (config?.method ?? 'get').toUpperCase();
    const url = config ? reportableUrl(requestUrl(config)) : undefined;
    return new OpenPlatformError({
      platform: 'library',
      code: OpenPlatformErrorCode.TRANSPORT,
      message: `${method} ${url ?? 'request'}: aborted because nest-open-platform is shutting down`,
      method,
      url,
    });
  }

  /** Aborts every request in flight, then lets their callers' promise chains settle before Nest closes the server. */
  async beforeApplicationShutdown(): Promise<void> {
    this.controller.abort();
    // Aborting rejects each request synchronously; the callers above it settle in microtasks, all
    // of which run before the next macrotask.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function combine(own: GenericAbortSignal | undefined, shutdown: AbortSignal): GenericAbortSignal {
  if (!own) return shutdown;
  if (own instanceof AbortSignal) return AbortSignal.any([own, shutdown]);
  // A signal from another implementation (a polyfill): follow both by hand.
  const both = new AbortController();
  const abort = () => both.abort();
  if (own.aborted) abort();
  else own.addEventListener?.('abort', abort);
  shutdown.addEventListener('abort', abort, { signal: both.signal });
  return both.signal;
}
