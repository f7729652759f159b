import { Injectable } from '@nestjs/common';
import { OnAuthorizerMessage, Reply, type TextMessage } from 'nest-open-platform';

/** Answers users' messages to the merchants' accounts: the module finds this handler at boot. */
@Injectable()
export class ShopBot {
  @OnAuthorizerMessage({ msgType: 'text' })
  echo(msg: TextMessage): Reply {
    return Reply.text(`you said: ${msg.content}`);
  }
}
