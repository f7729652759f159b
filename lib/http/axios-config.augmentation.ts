// Typed request-config fields read by the OpenPlatformHttpService interceptor.
import 'axios';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Act as this authorizer: its token is injected the platform's way. */
    authorizerAppId?: string;
    /**
     * The component of the authorizer (needed with several components); alone, without
     * `authorizerAppId`, the component token is injected instead.
     */
    componentAppId?: string;
  }
}
