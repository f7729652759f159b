import { HttpService } from '@nestjs/axios';
import './axios-config.augmentation.js';

/**
 * The `@nestjs/axios` `HttpService` API on the module's own axios instance, which injects tokens:
 * pass `authorizerAppId` (or `componentAppId`) in a request config, or call it inside an
 * `@AsAuthorizer` method. The app's own `HttpService` instances are not touched.
 *
 * ```ts
 * this.http.get('https://api.weixin.qq.com/cgi-bin/account/getaccountbasicinfo', { authorizerAppId: 'wx…' })
 * ```
 */
export class OpenPlatformHttpService extends HttpService {}
