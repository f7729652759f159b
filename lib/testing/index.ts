/** Public test entry `nest-open-platform/testing`: loopback emulators of the platforms. */
export { FakeWeChatPlatform } from './wechat/fake-wechat-platform.js';
export type { FakeWeChatPlatformCore } from './wechat/fake-wechat-core.js';
export type {
  FakeReply as FakeWeChatReply,
  FakeRequest as FakeWeChatRequest,
  FakeRouteHandler as FakeWeChatRouteHandler,
} from './core/fake-http-server.js';
export type { FakeWeChatCaller, FakeWeChatTokenCheck } from './wechat/business-endpoints.js';
export type {
  FakeWeChatBuiltPush,
  FakeWeChatComponent,
  FakeWeChatEndpoint,
  FakeWeChatEndpointName,
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
export type {
  FakeWeChatCustomerServiceMessage,
  FakeWeChatMessage,
  FakeWeChatPassiveReply,
  FakeWeChatReleaseCheckCase,
  FakeWeChatReleaseCheckOptions,
  FakeWeChatReleaseCheckResult,
  FakeWeChatSendMessageOptions,
  FakeWeChatSendMessageResult,
} from './wechat/fake-wechat-messages.types.js';
export { FakeDouyinPlatform } from './douyin/fake-douyin-platform.js';
export type { FakeDouyinPlatformCore } from './douyin/fake-douyin-core.js';
export type {
  FakeReply as FakeDouyinReply,
  FakeRequest as FakeDouyinRequest,
  FakeRouteHandler as FakeDouyinRouteHandler,
} from './core/fake-http-server.js';
export type { FakeDouyinTokenCheck } from './douyin/business-endpoints.js';
export type {
  FakeDouyinApiVersion,
  FakeDouyinAuthorizationEvent,
  FakeDouyinAuthorizationEventType,
  FakeDouyinAuthorizationPushRecord,
  FakeDouyinAuthorizeOptions,
  FakeDouyinAuthorizeResult,
  FakeDouyinAuthorizerState,
  FakeDouyinBuiltPush,
  FakeDouyinBusinessCall,
  FakeDouyinCaller,
  FakeDouyinComponent,
  FakeDouyinEndpoint,
  FakeDouyinEndpointName,
  FakeDouyinEventPushOutcome,
  FakeDouyinFailOptions,
  FakeDouyinMerchant,
  FakeDouyinPlatformOptions,
  FakeDouyinPushBody,
  FakeDouyinPushOptions,
  FakeDouyinPushResult,
  FakeDouyinQueuedMerchant,
  FakeDouyinTicketPushOptions,
  FakeDouyinTicketPushResult,
} from './douyin/fake-douyin.types.js';
