import { Controller, Get, Injectable, Param } from '@nestjs/common';
import { AsAuthorizer, OpenPlatformHttpService } from 'nest-open-platform';
import { map, type Observable } from 'rxjs';

/** Where each platform's business API lives (the emulator's, or the real platform's). */
export abstract class BusinessApis {
  abstract readonly wechat: string;
  abstract readonly douyin: string;
}

/** A business API called as a merchant: `@AsAuthorizer` injects that merchant's token. */
@Injectable()
export class ShopsService {
  constructor(
    private readonly http: OpenPlatformHttpService,
    private readonly apis: BusinessApis,
  ) {}

  /** WeChat `getaccountbasicinfo` (the token goes in the query, the WeChat way). */
  @AsAuthorizer((appId: string) => appId)
  wechatInfo(appId: string): Observable<Record<string, unknown>> {
    void appId; // read by @AsAuthorizer
    return this.http
      .get<Record<string, unknown>>(`${this.apis.wechat}/cgi-bin/account/getaccountbasicinfo`)
      .pipe(map((r) => r.data));
  }

  /** Douyin `basic_info/get_info` (the token goes in the `access-token` header, the V2 way). */
  @AsAuthorizer((appId: string) => appId)
  douyinInfo(appId: string): Observable<Record<string, unknown>> {
    void appId;
    return this.http
      .get<Record<string, unknown>>(`${this.apis.douyin}/api/apps/v2/basic_info/get_info`)
      .pipe(map((r) => r.data));
  }
}

/** `GET /shops/{wechat|douyin}/{appId}/info`: an app route that calls the platform as a merchant. */
@Controller('shops')
export class ShopsController {
  constructor(private readonly shops: ShopsService) {}

  @Get('wechat/:appId/info')
  wechat(@Param('appId') appId: string): Observable<Record<string, unknown>> {
    return this.shops.wechatInfo(appId);
  }

  @Get('douyin/:appId/info')
  douyin(@Param('appId') appId: string): Observable<Record<string, unknown>> {
    return this.shops.douyinInfo(appId);
  }
}
