import { Injectable, Logger } from '@nestjs/common';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { AuthorizerLocator } from '../authorizers/authorizer-locator.service.js';
import { AuthorizerTokenService } from '../authorizers/authorizer-token.service.js';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { ApiOrigins } from './api-origins.js';
import { authorizerContext } from './authorizer-context.js';
import './axios-config.augmentation.js';
import { reportableUrl, requestUrl } from './request-url.js';

/** What the request interceptor injected, read back by the response interceptor. */
interface Injected {
  kind: 'component' | 'authorizer';
  component: ResolvedComponent;
  authorizerAppId?: string;
  token: string;
}
// Symbols survive axios' config merging and cannot collide with user fields.
const INJECTED = Symbol('open-platform.injected');
const RETRIED = Symbol('open-platform.retried');
type Config = InternalAxiosRequestConfig & { [INJECTED]?: Injected; [RETRIED]?: boolean };

/** What the interceptor injected into this request, if anything (so errors can redact the token). */
export function injectedBy(config: InternalAxiosRequestConfig): Readonly<Injected> | undefined {
  return (config as Config)[INJECTED];
}

/**
 * Injects component / authorizer tokens into requests of the module's own axios instance and
 * retries once when the platform answers that the token is invalid or expired.
 */
@Injectable()
export class TokenInterceptor {
  private readonly logger = new Logger('OpenPlatform:Http');

  constructor(
    private readonly components: ComponentsService,
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizerTokens: AuthorizerTokenService,
    private readonly origins: ApiOrigins,
    private readonly locator: AuthorizerLocator,
  ) {}

  install(axios: AxiosInstance): void {
    axios.interceptors.request.use((config) => this.inject(config as Config), undefined, {
      // Requests to other hosts that ask for nothing pass through untouched (no async hop either),
      // also inside an @AsAuthorizer scope: a webhook or a CDN never gets a token. Requests to a
      // platform's API host are checked for a token even when they ask for nothing.
      runWhen: (config) =>
        names(config) ||
        (authorizerContext.getStore() !== undefined && this.origins.receivesTokens(this.origins.originOf(config))) ||
        this.origins.adaptersFor(config).length > 0,
    });
    axios.interceptors.response.use((response) => this.retryIfRejected(axios, response));
  }

  private async inject(config: Config): Promise<Config> {
    const scope = authorizerContext.getStore();
    const explicit = names(config);
    const origin = this.origins.originOf(config);
    // Tokens go only to API origins. An implicit scope just does not apply elsewhere; a request
    // that names someone is refused (before anything is read) rather than sent without the token
    // it asked for.
    if (!explicit && (!scope || !this.origins.receivesTokens(origin))) return this.refuseIfTokenless(config);
    if (explicit && !this.origins.receivesTokens(origin)) throw this.foreignOrigin(config);
    const authorizerAppId =
      config.authorizerAppId ?? (config.componentAppId != null ? undefined : scope?.authorizerAppId);
    const componentAppId =
      config.componentAppId ?? (authorizerAppId === scope?.authorizerAppId ? scope?.componentAppId : undefined);
    // Known without reading the store (given, the only one, or remembered) and a valid appid: no
    // extra async hop. Otherwise resolve() reads the store, or throws INVALID_ARGUMENT for an appid
    // its platform cannot have.
    const component =
      authorizerAppId != null
        ? (this.locator.find(authorizerAppId, componentAppId) ??
          (await this.locator.resolve(authorizerAppId, componentAppId)))
        : this.components.resolve(componentAppId);
    if (!this.origins.receivesTokens(origin, component)) {
      if (explicit) throw this.foreignOrigin(config, component);
      return this.refuseIfTokenless(config);
    }
    const injected: Injected = authorizerAppId
      ? {
          kind: 'authorizer',
          component,
          authorizerAppId,
          token: await this.authorizerTokens.get(component, authorizerAppId),
        }
      : { kind: 'component', component, token: await this.componentTokens.get(component) };
    this.platforms.get(component.platform).injectToken(config, injected.token, injected.kind, component);
    config[INJECTED] = injected;
    return config;
  }

  /**
   * A request to a platform's API host that names nobody would go out without a token and only
   * fail there (WeChat 41001), after spending quota; most often `@AsAuthorizer` was forgotten or
   * its scope was lost. It is refused here, unless it brings its own token or needs none.
   */
  private refuseIfTokenless(config: Config): Config {
    const adapters = this.origins.adaptersFor(config);
    const request = { params: config.params as unknown, headers: config.headers, url: requestUrl(config) };
    if (adapters.length === 0 || adapters.some((a) => a.carriedTokens(request).length > 0 || a.takesNoToken(request)))
      return config;
    const method = (config.method ?? 'get').toUpperCase();
    const url = reportableUrl(request.url);
    throw new OpenPlatformError({
      platform: adapters[0].platform,
      code: OpenPlatformErrorCode.MISSING_AUTHORIZER,
      message:
        `${method} ${url} goes to the ${adapters[0].platform} API with no token and names no authorizer, so it was not sent. ` +
        'Pass { authorizerAppId } (or { componentAppId } for component APIs) in the request config, or make the call inside an @AsAuthorizer method',
      method,
      url,
    });
  }

  /** A request that names an authorizer or component, to an origin that must not get its token. */
  private foreignOrigin(config: Config, component?: ResolvedComponent): OpenPlatformError {
    const method = (config.method ?? 'get').toUpperCase();
    const url = reportableUrl(requestUrl(config));
    const named = config.authorizerAppId != null ? 'authorizerAppId' : 'componentAppId';
    const allowed = component
      ? `the API origins of component ${component.appId} (${this.origins.tokenOriginsOf(component).join(', ')})`
      : 'the API origins of the configured components';
    return new OpenPlatformError({
      platform: component?.platform ?? 'library',
      code: OpenPlatformErrorCode.FOREIGN_ORIGIN,
      message:
        `${method} ${url} names ${named} but does not go to ${allowed}, so no token was injected and it was not sent. ` +
        "Tokens go only to the platform's API hosts: drop authorizerAppId / componentAppId for calls to other hosts, " +
        "or add the origin to the component's apiOrigins option if it is a gateway to the platform's API",
      method,
      url,
    });
  }

  private async retryIfRejected(axios: AxiosInstance, response: AxiosResponse): Promise<AxiosResponse> {
    const config = response.config as Config;
    const injected = config[INJECTED];
    if (!injected) return response;
    const { component } = injected;
    const code = this.platforms.get(component.platform).rejectedTokenCode(response.data);
    if (code === undefined) return response;
    const who = injected.authorizerAppId ? `authorizer ${injected.authorizerAppId}` : `component ${component.appId}`;
    if (config[RETRIED]) {
      throw new OpenPlatformError({
        platform: component.platform,
        code,
        message: `the token of ${who} was rejected (code ${code}) again after a renewal; not retrying further`,
      });
    }
    if (!isReplayable(config.data)) {
      throw new OpenPlatformError({
        platform: component.platform,
        code: OpenPlatformErrorCode.NON_REPLAYABLE_BODY,
        message: `the token of ${who} was rejected (code ${code}) and the request cannot be retried: its body is a stream that was already sent. Send a Buffer, string or object instead`,
      });
    }
    // Renewed only if the failed token is still the current one (someone may have renewed it already).
    const renewed =
      injected.kind === 'authorizer'
        ? await this.authorizerTokens.get(component, injected.authorizerAppId!, 'rejected', injected.token)
        : await this.componentTokens.get(component, 'rejected', injected.token);
    if (renewed === injected.token) {
      throw new OpenPlatformError({
        platform: component.platform,
        code,
        message: `the token of ${who} was rejected (code ${code}), and it replaced a rejected token moments ago: not renewing it again yet (the API may reject it for another reason)`,
      });
    }
    this.logger.debug(`token of ${who} rejected with code ${code}; retrying once with a fresh token`);
    return axios.request({ ...config, [RETRIED]: true, [INJECTED]: undefined } as Config);
  }
}

/** Whether the request config itself names an authorizer or a component (not just the scope). */
function names(config: { authorizerAppId?: unknown; componentAppId?: unknown }): boolean {
  return config.authorizerAppId != null || config.componentAppId != null;
}

function isReplayable(data: unknown): boolean {
  if (data === null || typeof data !== 'object') return true;
  const d = data as { pipe?: unknown; getReader?: unknown };
  return typeof d.pipe !== 'function' && typeof d.getReader !== 'function';
}
