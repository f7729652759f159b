/** Public test entry `nest-open-platform/testing`: loopback emulators of the platforms. */
export { FakeWeChatPlatform } from './wechat/fake-wechat-platform.js';
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
