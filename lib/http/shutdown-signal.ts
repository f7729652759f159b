import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosAdapter, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { reportableUrl, requestUrl } from './request-url.js';

/**
 * Ends the module's upstream calls when the app shuts down, so nothing runs after `app.close()`.
 *
 * The module's axios instances send through their own keep-alive agents; shutdown destroys the
 * agents' sockets, which fails every call in flight at once, and refuses calls made afterwards.
 * This costs nothing per request. (Attaching one shared AbortSignal to every request would: each
 * request adds and removes an abort listener on it, about 9% of a loopback call, and more than ten
 * concurrent requests make Node warn of an EventTarget leak.) A `signal` the caller passes keeps
 * working as usual; a request given its own `httpAgent`/`httpsAgent` is not ended by shutdown.
 */
@Injectable()
export class ShutdownSignal implements BeforeApplicationShutdown {
  private readonly httpAgent = new HttpAgent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });
  private closed = false;

  get shuttingDown(): boolean {
    return this.closed;
  }

  /**
   * Sends `http`'s requests through the module's agents, refuses requests dispatched after
   * shutdown, and reports calls that shutdown ended as `OpenPlatformError`s that say why.
   */
  install(http: AxiosInstance): void {
    http.defaults.httpAgent = this.httpAgent;
    http.defaults.httpsAgent = this.httpsAgent;
    const send = axios.getAdapter(http.defaults.adapter);
    // Checked at dispatch, after every interceptor: a call that was waiting for a token when the
    // app shut down must not go out afterwards.
    const adapter: AxiosAdapter = (config) => (this.closed ? Promise.reject(this.error(config)) : send(config));
    http.defaults.adapter = adapter;
    http.interceptors.response.use(undefined, (err: unknown) => {
      const config = (err as { config?: InternalAxiosRequestConfig } | undefined)?.config;
      const ended = this.closed && !(err instanceof OpenPlatformError) && !(err as { response?: unknown })?.response;
      throw ended ? this.error(config) : err;
    });
  }

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

  /** Ends every call in flight, then lets their callers' promise chains settle before Nest closes the server. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    // Destroyed sockets report their errors on the next ticks; the callers above them settle in
    // microtasks. Two macrotask turns cover both.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
