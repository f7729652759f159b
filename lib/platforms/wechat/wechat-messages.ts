import { XMLValidator } from 'fast-xml-parser';
import type {
  AuthorizerEvent,
  AuthorizerInbound,
  AuthorizerMessage,
} from '../../authorizer-messages/authorizer-message.interface.js';
import type { PassiveReplyBody } from '../../authorizer-messages/reply.js';
import type { MessageCrypto } from '../../crypto/message-crypto.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';
import type { AuthorizerMessageCodec, DecodedMessage, MessageAddress } from '../message-codec.js';
import { isUsableField } from '../push-fields.js';
import { MAX_XML_DEPTH, nestingExceeds, readWeChatEnvelope, wechatXmlParser } from './wechat-push.parser.js';
import { weChatErrcode } from './wechat.errors.js';
import { wechatReleaseCheck } from './wechat-release-check.js';

function malformed(what: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'wechat',
    code: OpenPlatformErrorCode.MALFORMED_MESSAGE,
    message: `malformed WeChat message: ${what}`,
  });
}

type Tree = Record<string, unknown>;

const XML_OPEN = /^[ \t\r\n]*<xml>/;
/** One field: a capitalized name, and a CDATA text without `]` or edge whitespace, or a plain token. */
const FLAT_FIELD =
  /[ \t\r\n]*<([A-Z][A-Za-z0-9_]{0,63})>(?:<!\[CDATA\[((?:[^\s\]](?:[^\]]*[^\s\]])?)?)\]\]>|([0-9A-Za-z_.-]{1,64}))<\/\1>/y;
const XML_CLOSE = /[ \t\r\n]*<\/xml>[ \t\r\n]*$/y;

/**
 * The tree of a message in the platform's usual shape, every field one level deep (text, events
 * without nested elements), or undefined for anything else, which the parser then reads. Written
 * by hand because it is on every message's path: validating and parsing a message cost more than
 * decrypting it. In this shape nothing can be read two ways (no duplicate, nested, attributed or
 * entity-bearing element, no value the parser would trim), and it answers what the parser
 * answers (property-tested against it).
 */
export function flatTree(xml: string): Tree | undefined {
  const open = XML_OPEN.exec(xml);
  if (!open) return undefined;
  const tree: Tree = {};
  let at = open[0].length;
  for (;;) {
    FLAT_FIELD.lastIndex = at;
    const field = FLAT_FIELD.exec(xml);
    if (!field) break;
    if (Object.hasOwn(tree, field[1])) return undefined;
    tree[field[1]] = field[2] ?? field[3];
    at = FLAT_FIELD.lastIndex;
  }
  XML_CLOSE.lastIndex = at;
  return XML_CLOSE.test(xml) ? tree : undefined;
}

/**
 * Parses a decrypted message into its element tree (nested elements kept: `ScanCodeInfo`,
 * `SendPicsInfo`…), with the same hardening as the events route: no DOCTYPE or entities, bounded
 * nesting, well-formedness checked before parsing.
 */
export function parseTree(xml: string): Tree {
  if (!xml.trim().startsWith('<')) throw malformed('not XML');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw malformed('DOCTYPE and entity declarations are not accepted');
  const flat = flatTree(xml);
  if (flat) return flat;
  if (nestingExceeds(xml, MAX_XML_DEPTH)) throw malformed(`elements nested deeper than ${MAX_XML_DEPTH}`);
  let root: unknown;
  try {
    if (XMLValidator.validate(xml) !== true) throw malformed('not well-formed XML');
    root = (wechatXmlParser.parse(xml) as Tree).xml;
  } catch (err) {
    if (err instanceof OpenPlatformError) throw err;
    throw malformed('could not be parsed');
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) throw malformed('missing <xml> root element');
  return root as Tree;
}

function str(tree: Tree, key: string): string | undefined {
  const value = Object.hasOwn(tree, key) ? tree[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function num(tree: Tree, key: string): number {
  const value = Number(str(tree, key));
  return Number.isFinite(value) ? value : NaN;
}

function required(tree: Tree, key: string): string {
  const value = str(tree, key);
  if (value === undefined || !isUsableField(value)) throw malformed(`${key} is missing, blank or invalid`);
  return value;
}

function messageOf(tree: Tree, base: Omit<AuthorizerMessage, 'msgType' | 'msgId'>, msgType: string): AuthorizerMessage {
  const msgId = str(tree, 'MsgId');
  const s = (k: string) => str(tree, k) ?? '';
  if (msgId) {
    const common = { ...base, msgId };
    switch (msgType) {
      case 'text':
        return { ...common, msgType, content: s('Content') };
      case 'image':
        return { ...common, msgType, picUrl: s('PicUrl'), mediaId: s('MediaId') };
      case 'voice':
        return {
          ...common,
          msgType,
          mediaId: s('MediaId'),
          format: s('Format'),
          recognition: str(tree, 'Recognition'),
        };
      case 'video':
      case 'shortvideo':
        return { ...common, msgType, mediaId: s('MediaId'), thumbMediaId: s('ThumbMediaId') };
      case 'location':
        return {
          ...common,
          msgType,
          latitude: num(tree, 'Location_X'),
          longitude: num(tree, 'Location_Y'),
          scale: num(tree, 'Scale'),
          label: s('Label'),
        };
      case 'link':
        return { ...common, msgType, title: s('Title'), description: s('Description'), url: s('Url') };
    }
  }
  return { ...base, msgType: 'unknown', originalMsgType: msgType, ...(msgId ? { msgId } : {}) };
}

function eventOf(tree: Tree, base: Omit<AuthorizerEvent, 'msgType' | 'event'>, event: string): AuthorizerEvent {
  const common = { ...base, msgType: 'event' as const };
  const eventKey = str(tree, 'EventKey');
  switch (event) {
    case 'subscribe':
      return { ...common, event, eventKey, ticket: str(tree, 'Ticket') };
    case 'unsubscribe':
      return { ...common, event };
    case 'SCAN':
      return { ...common, event, eventKey: eventKey ?? '', ticket: str(tree, 'Ticket') };
    case 'LOCATION':
      return {
        ...common,
        event,
        latitude: num(tree, 'Latitude'),
        longitude: num(tree, 'Longitude'),
        precision: num(tree, 'Precision'),
      };
    case 'CLICK':
    case 'VIEW':
      return { ...common, event, eventKey: eventKey ?? '' };
    case 'weapp_audit_success':
      return { ...common, event, succTime: num(tree, 'SuccTime') };
    case 'weapp_audit_fail':
      return {
        ...common,
        event,
        failTime: num(tree, 'FailTime'),
        reason: str(tree, 'Reason') ?? '',
        screenShot: (str(tree, 'ScreenShot') ?? '').split('|').filter(Boolean),
      };
    case 'weapp_audit_delay':
      return { ...common, event, delayTime: num(tree, 'DelayTime'), reason: str(tree, 'Reason') ?? '' };
    default:
      return { ...common, event: 'unknown', originalEvent: event };
  }
}

/** Wraps a string in CDATA, splitting any `]]>` it contains. */
function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function element(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<${name}>${cdata(value)}</${name}>`;
}

function replyElements(reply: PassiveReplyBody): string {
  switch (reply.type) {
    case 'text':
      return element('Content', reply.content);
    case 'image':
      return `<Image>${element('MediaId', reply.mediaId)}</Image>`;
    case 'voice':
      return `<Voice>${element('MediaId', reply.mediaId)}</Voice>`;
    case 'video':
      return `<Video>${element('MediaId', reply.mediaId)}${element('Title', reply.title)}${element('Description', reply.description)}</Video>`;
    case 'music':
      return (
        `<Music>${element('Title', reply.title)}${element('Description', reply.description)}` +
        `${element('MusicUrl', reply.musicUrl)}${element('HQMusicUrl', reply.hqMusicUrl)}` +
        `${element('ThumbMediaId', reply.thumbMediaId)}</Music>`
      );
    case 'news':
      return (
        `<ArticleCount>${reply.articles.length}</ArticleCount><Articles>` +
        reply.articles
          .map(
            (a) =>
              `<item>${element('Title', a.title)}${element('Description', a.description)}` +
              `${element('PicUrl', a.picUrl)}${element('Url', a.url)}</item>`,
          )
          .join('') +
        `</Articles>`
      );
    case 'transfer_customer_service':
      return reply.kfAccount === undefined ? '' : `<TransInfo>${element('KfAccount', reply.kfAccount)}</TransInfo>`;
  }
}

/** The WeChat message URL: XML envelope, XML messages, encrypted XML passive replies. */
export const wechatMessageCodec: AuthorizerMessageCodec = {
  readEnvelope: readWeChatEnvelope,

  decode(plaintext: string, address: MessageAddress): DecodedMessage {
    const tree = parseTree(plaintext);
    const toUserName = required(tree, 'ToUserName');
    const fromUserName = required(tree, 'FromUserName');
    const createTimeText = required(tree, 'CreateTime');
    if (!/^\d{1,12}$/.test(createTimeText)) throw malformed('CreateTime is not a time');
    const msgType = required(tree, 'MsgType');
    const base = { ...address, toUserName, fromUserName, createTime: Number(createTimeText), raw: tree };
    if (msgType === 'event') {
      const event = required(tree, 'Event');
      // Events carry no MsgId; the platform's advice is FromUserName + CreateTime, and the event
      // name keeps two different events of one user in one second apart.
      return { message: eventOf(tree, base, event), dedupeKey: `event:${fromUserName}:${createTimeText}:${event}` };
    }
    const message = messageOf(tree, base, msgType);
    const msgId = str(tree, 'MsgId');
    return {
      message,
      dedupeKey: msgId ? `msg:${msgId}` : `msg:${fromUserName}:${createTimeText}:${msgType}`,
    };
  },

  render(reply: PassiveReplyBody, message: AuthorizerInbound, nowSeconds: number): string {
    // The reply goes back the way the message came: to its sender, from the account.
    return (
      `<xml>${element('ToUserName', message.fromUserName)}${element('FromUserName', message.toUserName)}` +
      `<CreateTime>${nowSeconds}</CreateTime>${element('MsgType', reply.type)}${replyElements(reply)}</xml>`
    );
  },

  seal(crypto: MessageCrypto, plaintext: string, timestamp: string, nonce: string): string {
    const encrypt = crypto.encrypt(plaintext);
    return (
      `<xml>${element('Encrypt', encrypt)}${element('MsgSignature', crypto.signature(timestamp, nonce, encrypt))}` +
      `<TimeStamp>${timestamp}</TimeStamp>${element('Nonce', nonce)}</xml>`
    );
  },

  replyContentType: 'application/xml; charset=utf-8',

  releaseCheck: wechatReleaseCheck,

  customerServiceText(component: ResolvedComponent, toUser: string, content: string) {
    return {
      url: `${component.apiBaseUrl}/cgi-bin/message/custom/send`,
      data: { touser: toUser, msgtype: 'text', text: { content } },
    };
  },

  customerServiceFailure(answer: unknown) {
    const code = typeof answer === 'object' && answer !== null ? weChatErrcode(answer as Record<string, unknown>) : 0;
    return code === 0 ? undefined : code;
  },
};
