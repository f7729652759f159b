/** Public test entry `nest-open-platform/testing`: loopback emulators of the platforms. */
export { FakeWeChatPlatform } from './wechat/fake-wechat-platform.js';
export type { FakeWeChatPlatformCore } from './wechat/fake-wechat-core.js';
export type {
  FakeWeChatBuiltPush,
  FakeWeChatComponent,
  FakeWeChatEndpoint,
  FakeWeChatFailOptions,
  FakeWeChatPlatformOptions,
  FakeWeChatPushOptions,
  FakeWeChatPushResult,
  FakeWeChatTicketPushOptions,
  FakeWeChatTicketPushResult,
} from './wechat/fake-wechat.types.js';
export type {
  FakeWeChatAuthorizationEvent,
  FakeWeChatAuthorizationInfoType,
  FakeWeChatAuthorizationPushOptions,
  FakeWeChatAuthorizationPushRecord,
  FakeWeChatAuthorizeOptions,
  FakeWeChatAuthorizeResult,
  FakeWeChatAuthorizerState,
  FakeWeChatBusinessCall,
  FakeWeChatEventPushOutcome,
  FakeWeChatMerchant,
  FakeWeChatQueuedMerchant,
  FakeWeChatReauthorizeOptions,
  FakeWeChatRevokeOptions,
} from './wechat/fake-wechat-authorization.types.js';
