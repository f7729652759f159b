import { Injectable } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { AsAuthorizer, OpenPlatformHttpService } from '../../lib/index.js';

/** The answer of the emulator's WeChat business endpoint. */
export type Basic = { errcode: number; appid?: string };

/** A user service calling a WeChat business API as the authorizer its first argument names. */
@Injectable()
export class ShopApi {
  constructor(private readonly http: OpenPlatformHttpService) {}

  @AsAuthorizer((appId: string) => appId)
  async basic(_appId: string, base: string): Promise<Basic> {
    return (await firstValueFrom(this.http.get<Basic>(`${base}/cgi-bin/account/getaccountbasicinfo`))).data;
  }
}
