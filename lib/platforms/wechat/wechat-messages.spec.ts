import { describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Reply } from '../../authorizer-messages/reply.js';
import { MessageCrypto } from '../../crypto/message-crypto.js';
import { OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { flatTree, wechatMessageCodec as codec } from './wechat-messages.js';
import { wechatXmlParser } from './wechat-push.parser.js';
import { mutated } from './spec-helpers.js';
import { wechatReleaseCheck } from './wechat-release-check.js';

const address = { platform: 'wechat' as const, componentAppId: 'wx_component', authorizerAppId: 'wx_shop' };
const xml = (inner: string) =>
  `<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName>` +
  `<CreateTime>1700000000</CreateTime>${inner}</xml>`;

describe('WeChat message codec', () => {
  it('decodes a text message (CDATA content kept exactly as written) with its MsgId as dedupe key', () => {
    const { message, dedupeKey } = codec.decode(
      xml('<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ hi ]]></Content><MsgId>42</MsgId>'),
      address,
    );
    expect(message).toMatchObject({
      ...address,
      msgType: 'text',
      content: ' hi ',
      msgId: '42',
      createTime: 1700000000,
    });
    expect(dedupeKey).toBe('msg:42');
  });

  it('keys events by sender, time and event name; nested elements stay in raw', () => {
    const { message, dedupeKey } = codec.decode(
      xml(
        '<MsgType>event</MsgType><Event>scancode_push</Event><EventKey>k</EventKey>' +
          '<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>',
      ),
      address,
    );
    expect(message).toMatchObject({ msgType: 'event', event: 'unknown', originalEvent: 'scancode_push' });
    expect(message.raw).toMatchObject({ ScanCodeInfo: { ScanType: 'qrcode', ScanResult: '1' } });
    expect(dedupeKey).toBe('event:o_user:1700000000:scancode_push');
  });

  it.each([
    ['no FromUserName', '<xml><ToUserName>a</ToUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>'],
    ['a CreateTime that is not a time', xml('<MsgType>text</MsgType>').replace('1700000000', 'soon')],
    ['a blank MsgType', xml('<MsgType>   </MsgType>')],
    ['an event without Event', xml('<MsgType>event</MsgType>')],
    ['entities', `<!DOCTYPE x [<!ENTITY e "e">]>${xml('<MsgType>text</MsgType>')}`],
    ['deep nesting', xml(`<MsgType>text</MsgType>${'<a>'.repeat(20)}${'</a>'.repeat(20)}`)],
    ['a __proto__ element', xml('<MsgType>text</MsgType><__proto__>x</__proto__>')],
    ['JSON', '{"MsgType":"text"}'],
  ])('refuses %s as MALFORMED_MESSAGE', (_label, plaintext) => {
    expect(() => codec.decode(plaintext, address)).toThrow(
      expect.objectContaining({ code: OpenPlatformErrorCode.MALFORMED_MESSAGE }),
    );
  });

  it('renders replies back to the sender and seals them so the platform can verify and decrypt', () => {
    const { message } = codec.decode(xml('<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId>'), address);
    const plaintext = codec.render(Reply.text('a ]]> b').body, message, 1700000001)!;
    const crypto = new MessageCrypto({
      platform: 'wechat',
      token: 'token',
      encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      appId: 'wx_component',
    });
    const sealed = new XMLParser({ parseTagValue: false }).parse(codec.seal(crypto, plaintext, '1700000001', '99')) as {
      xml: Record<string, string>;
    };
    const { Encrypt, MsgSignature, TimeStamp, Nonce } = sealed.xml;
    expect(crypto.verifySignature(MsgSignature, TimeStamp, Nonce, Encrypt)).toBe(true);
    const inner = new XMLParser({ parseTagValue: false }).parse(crypto.decrypt(Encrypt)) as {
      xml: Record<string, string>;
    };
    expect(inner.xml).toEqual({
      ToUserName: 'o_user',
      FromUserName: 'gh_shop',
      CreateTime: '1700000001',
      MsgType: 'text',
      Content: 'a ]]> b',
    });
  });
});

describe('WeChat release check', () => {
  const base = { ...address, toUserName: 'gh_3c884a361561', fromUserName: 'o_tester', createTime: 1, raw: {} };
  const tester = { ...base, authorizerAppId: 'wx570bc396a51b8ff8' };

  it('answers the three cases for a test account only', () => {
    expect(
      wechatReleaseCheck({ ...tester, msgType: 'event', event: 'LOCATION', latitude: 0, longitude: 0, precision: 0 }),
    ).toEqual({
      reply: { type: 'text', content: 'LOCATIONfrom_callback' },
    });
    expect(
      wechatReleaseCheck({ ...tester, msgType: 'text', content: 'TESTCOMPONENT_MSG_TYPE_TEXT', msgId: '1' }),
    ).toEqual({
      reply: { type: 'text', content: 'TESTCOMPONENT_MSG_TYPE_TEXT_callback' },
    });
    expect(
      wechatReleaseCheck({ ...tester, msgType: 'text', content: 'QUERY_AUTH_CODE:queryauthcode@@@abc', msgId: '2' }),
    ).toEqual({
      queryAuthCode: { code: 'queryauthcode@@@abc', toUser: 'o_tester', content: 'queryauthcode@@@abc_from_api' },
    });
    expect(wechatReleaseCheck({ ...tester, msgType: 'text', content: 'hello', msgId: '3' })).toBeUndefined();
    expect(
      wechatReleaseCheck({ ...base, msgType: 'text', content: 'TESTCOMPONENT_MSG_TYPE_TEXT', msgId: '4' }),
    ).toBeUndefined();
  });
});

describe('WeChat customer-service answer', () => {
  it('names the errcode of a refused send, nothing for a success or a non-object', () => {
    expect(codec.customerServiceFailure?.({ errcode: 45015, errmsg: 'response out of time limit' })).toBe(45015);
    expect(codec.customerServiceFailure?.({ errcode: '40001' })).toBe(40001);
    expect(codec.customerServiceFailure?.({ errcode: 0, errmsg: 'ok' })).toBeUndefined();
    expect(codec.customerServiceFailure?.('<html>bad gateway</html>')).toBeUndefined();
  });
});

describe('flatTree (the flat-message fast path)', () => {
  const shapes = [
    '<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[o_user-1]]></FromUserName>' +
      '<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi <b> & ok]]></Content>' +
      '<MsgId>1234567890123456</MsgId></xml>',
    '<xml>\n<ToUserName><![CDATA[gh_123]]></ToUserName>\n<FromUserName><![CDATA[o_u]]></FromUserName>\n' +
      '<CreateTime>1700000000</CreateTime>\n<MsgType><![CDATA[event]]></MsgType>\n<Event><![CDATA[CLICK]]></Event>\n' +
      '<EventKey><![CDATA[menu 1]]></EventKey>\n<Location_X>23.1</Location_X>\n</xml>',
    '<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[]]></Content></xml>',
  ];
  /** What the hardened parser reads, or the error. */
  const slow = (xml: string) =>
    XMLValidator.validate(xml) === true ? (wechatXmlParser.parse(xml) as { xml: unknown }).xml : 'invalid';

  it("reads the platform's usual shapes as the parser does", () => {
    for (const xml of shapes) {
      expect(flatTree(xml)).toBeDefined();
      expect(flatTree(xml)).toEqual(slow(xml));
    }
  });

  it('answers what the parser answers wherever it answers (5,000 mutated messages)', () => {
    const alphabet = [
      '<',
      '>',
      '/',
      '!',
      '[',
      ']',
      '&',
      ' ',
      '\t',
      '\n',
      '\u3000',
      '=',
      '"',
      'a',
      'Z',
      '_',
      '-',
      '.',
      '?',
    ];
    let fast = 0;
    let changed = 0;
    for (const xml of mutated(shapes, alphabet, 5000, 7)) {
      const tree = flatTree(xml);
      if (tree === undefined) continue;
      fast++;
      if (!shapes.includes(xml)) changed++;
      expect([xml, slow(xml)]).toEqual([xml, tree]);
    }
    // Most mutations are structural and go to the parser; enough keep the shape (a changed name,
    // value or whitespace) for both sides to be compared.
    expect(fast).toBeGreaterThan(150);
    expect(changed).toBeGreaterThan(50);
  });

  it('leaves nested, repeated, attributed, trimmed and lower-case fields to the parser', () => {
    for (const xml of [
      '<xml><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType></ScanCodeInfo></xml>',
      '<xml><A>1</A><A>2</A></xml>',
      '<xml><A x="1">1</A></xml>',
      '<xml><Content><![CDATA[ padded ]]></Content></xml>',
      '<xml><Content> 1 </Content></xml>',
      '<xml><constructor>1</constructor></xml>',
      '<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>',
      '<?xml version="1.0"?><xml><A>1</A></xml>',
    ])
      expect([xml, flatTree(xml)]).toEqual([xml, undefined]);
  });
});
