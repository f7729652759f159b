import { describe, it, expect } from '@jest/globals';
import { OpenPlatformError, OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import type { InboundPush } from '../platform-adapter.js';
import { parseWeChatMessage, parseWeChatXml, plainEnvelopeEncrypt, readWeChatEnvelope } from './wechat-push.parser.js';
import { mutated } from './spec-helpers.js';

const ENCRYPT =
  'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxps+q5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50q==';
const QUERY = {
  timestamp: '1411525903',
  nonce: '461056294',
  msg_signature: '74d92dfeb87ba7c714f89d98870ae5eb62dff26d',
  encrypt_type: 'aes',
};
const XML_BODY = `<xml>\n  <AppId><![CDATA[wx0012]]></AppId>\n  <Encrypt><![CDATA[${ENCRYPT}]]></Encrypt>\n</xml>`;

function malformed(fn: () => unknown): OpenPlatformError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(OpenPlatformError);
  const err = caught as OpenPlatformError;
  expect(err.code).toBe(OpenPlatformErrorCode.MALFORMED_MESSAGE);
  expect(err.platform).toBe('wechat');
  return err;
}

const envelope = (body: InboundPush['body'], query: Record<string, unknown> = QUERY) =>
  readWeChatEnvelope({ query, body });

describe('readWeChatEnvelope', () => {
  const expected = { timestamp: QUERY.timestamp, nonce: QUERY.nonce, signature: QUERY.msg_signature, encrypt: ENCRYPT };

  it('reads a string XML body (CDATA, whitespace, XML declaration)', () => {
    expect(envelope(XML_BODY)).toEqual(expected);
    expect(envelope(`<?xml version="1.0" encoding="UTF-8"?>\n${XML_BODY}`)).toEqual(expected);
    expect(envelope(`<xml><ToUserName>gh_1</ToUserName><Encrypt>${ENCRYPT}</Encrypt></xml>`)).toEqual(expected);
  });

  it('reads a Buffer body', () => {
    expect(envelope(Buffer.from(XML_BODY, 'utf8'))).toEqual(expected);
  });

  it('reads an object body from express-xml-bodyparser (lower-cased names, arrays)', () => {
    expect(envelope({ xml: { appid: ['wx0012'], encrypt: [ENCRYPT] } })).toEqual(expected);
  });

  it('reads an object body with the original element names and plain strings', () => {
    expect(envelope({ xml: { AppId: 'wx0012', Encrypt: ENCRYPT } })).toEqual(expected);
  });

  it('reads an object body without the xml root', () => {
    expect(envelope({ Encrypt: ENCRYPT })).toEqual(expected);
  });

  it('takes the first value of array query parameters (repeated ?nonce=)', () => {
    expect(envelope(XML_BODY, { ...QUERY, nonce: [QUERY.nonce, 'x'], timestamp: [QUERY.timestamp] })).toEqual(expected);
  });

  it('leaves the signature undefined when msg_signature is absent (verification refuses later)', () => {
    const { msg_signature: _omit, ...query } = QUERY;
    expect(envelope(XML_BODY, query).signature).toBeUndefined();
  });

  it.each([
    ['timestamp', { nonce: QUERY.nonce, msg_signature: QUERY.msg_signature }],
    ['nonce', { timestamp: QUERY.timestamp, msg_signature: QUERY.msg_signature }],
    ['every parameter', {}],
  ])('refuses a push missing %s', (_label, query) => {
    malformed(() => envelope(XML_BODY, query));
  });

  it.each([['abc'], [''], ['12.5'], ['-1'], ['1234567890123']])('refuses timestamp %j', (timestamp) => {
    const err = malformed(() => envelope(XML_BODY, { ...QUERY, timestamp }));
    expect(err.message).toContain('timestamp');
  });

  it.each([
    ['undefined', undefined],
    ['an empty string', ''],
    ['a blank string', '  \n '],
    ['an empty Buffer', Buffer.alloc(0)],
    ['an empty object', {}],
    ['an object without Encrypt', { xml: { appid: ['wx1'] } }],
    ['an object with an empty Encrypt', { xml: { encrypt: [''] } }],
    ['an object with an empty Encrypt array', { xml: { encrypt: [] } }],
    ['XML without Encrypt', '<xml><AppId>wx1</AppId></xml>'],
    ['XML with an empty Encrypt', '<xml><Encrypt></Encrypt></xml>'],
    ['XML with two Encrypt elements', `<xml><Encrypt>${ENCRYPT}</Encrypt><Encrypt>x</Encrypt></xml>`],
    ['XML with a nested Encrypt', `<xml><Encrypt><a>${ENCRYPT}</a></Encrypt></xml>`],
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it to type the it.each table
    ['a number', 42 as unknown as InboundPush['body']],
  ])('refuses %s as body', (_label, body) => {
    malformed(() => envelope(body));
  });

  it.each([
    ['hello'],
    ['{"a":1}'],
    ['<xml><Encrypt>x</Encrypt>'],
    ['<xml><Encrypt>x</Other></xml>'],
    ['<'],
    [`<root><Encrypt>${ENCRYPT}</Encrypt></root>`],
    ['<xml>text only</xml>'],
  ])('refuses a non-XML or malformed body %j', (body) => {
    malformed(() => envelope(body));
    malformed(() => envelope(Buffer.from(body)));
  });
});

describe('parseWeChatXml: no DTDs, no entity expansion', () => {
  const BILLION_LAUGHS = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE lolz [',
    ' <!ENTITY lol "lol">',
    ' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
    ' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">',
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
    ' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
    ' <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">',
    ' <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">',
    ' <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">',
    ' <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">',
    ' <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">',
    ']>',
    '<xml><AppId>wx1</AppId><Encrypt>&lol9;</Encrypt></xml>',
  ].join('\n');
  const XXE =
    '<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<xml><Encrypt>&xxe;</Encrypt></xml>';
  const DOCTYPE_ONLY = '<!DOCTYPE xml>\n<xml><Encrypt>abc</Encrypt></xml>';

  it.each([
    ['billion laughs', BILLION_LAUGHS],
    ['an external SYSTEM entity', XXE],
    ['a bare DOCTYPE', DOCTYPE_ONLY],
  ])('refuses %s quickly, as a string and as a Buffer body', (_label, xml) => {
    const started = Date.now();
    malformed(() => parseWeChatXml(xml));
    malformed(() => envelope(xml));
    malformed(() => envelope(Buffer.from(xml)));
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses an entity declaration in a decrypted message too', () => {
    malformed(() =>
      parseWeChatMessage(
        '<!DOCTYPE xml [<!ENTITY t "expanded">]><xml><AppId>wx1</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>&t;</ComponentVerifyTicket></xml>',
      ),
    );
  });

  it('leaves entity references in values unexpanded', () => {
    expect(parseWeChatXml('<xml><Encrypt>&xxe;</Encrypt><B>a&amp;b</B></xml>')).toEqual({
      Encrypt: '&xxe;',
      B: 'a&amp;b',
    });
  });

  it('returns only the text children of <xml>, as strings', () => {
    expect(
      parseWeChatXml('<xml><A>1</A><B><C>2</C></B><D attr="x">3</D><E>0012</E><F>1e3</F><G>true</G></xml>'),
    ).toEqual({
      A: '1',
      D: '3',
      E: '0012',
      F: '1e3',
      G: 'true',
    });
  });
});

describe('parseWeChatMessage', () => {
  const msg = (fields: Record<string, string>) =>
    `<xml>${Object.entries(fields)
      .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
      .join('')}</xml>`;
  const ticketFields = {
    AppId: 'wx_component',
    CreateTime: '1413192605',
    InfoType: 'component_verify_ticket',
    ComponentVerifyTicket: 'ticket@@@abc',
  };
  const authFields = {
    AppId: 'wx_component',
    CreateTime: '1413192760',
    InfoType: 'authorized',
    AuthorizerAppid: 'wx_authorizer',
    AuthorizationCode: 'queryauthcode@@@xyz',
    AuthorizationCodeExpiredTime: '1413196360',
    PreAuthCode: 'preauthcode@@@abc',
  };

  it('parses component_verify_ticket', () => {
    expect(parseWeChatMessage(msg(ticketFields))).toEqual({
      kind: 'ticket',
      componentAppId: 'wx_component',
      createdAt: 1_413_192_605_000,
      ticket: 'ticket@@@abc',
    });
  });

  it.each([['authorized'], ['updateauthorized']])('parses %s', (infoType) => {
    expect(parseWeChatMessage(msg({ ...authFields, InfoType: infoType }))).toEqual({
      kind: infoType,
      componentAppId: 'wx_component',
      createdAt: 1_413_192_760_000,
      authorizerAppId: 'wx_authorizer',
      authorizationCode: 'queryauthcode@@@xyz',
      codeExpiresAt: 1_413_196_360_000,
    });
  });

  it('leaves codeExpiresAt undefined when the expiry is missing or not a number', () => {
    const { AuthorizationCodeExpiredTime: _omit, ...noExpiry } = authFields;
    expect(parseWeChatMessage(msg(noExpiry))).toMatchObject({ kind: 'authorized', codeExpiresAt: undefined });
    expect(parseWeChatMessage(msg({ ...authFields, AuthorizationCodeExpiredTime: 'soon' }))).toMatchObject({
      codeExpiresAt: undefined,
    });
  });

  it('parses unauthorized', () => {
    expect(
      parseWeChatMessage(
        msg({
          AppId: 'wx_component',
          CreateTime: '1413192760',
          InfoType: 'unauthorized',
          AuthorizerAppid: 'wx_authorizer',
        }),
      ),
    ).toEqual({
      kind: 'unauthorized',
      componentAppId: 'wx_component',
      createdAt: 1_413_192_760_000,
      authorizerAppId: 'wx_authorizer',
    });
  });

  it('surfaces an unknown InfoType as kind "other" with every field', () => {
    const fields = {
      AppId: 'wx_component',
      CreateTime: '1535442403',
      InfoType: 'notify_third_fasteregister',
      appid: 'wx_new',
      status: '0',
      msg: 'OK',
    };
    expect(parseWeChatMessage(msg(fields))).toEqual({
      kind: 'other',
      componentAppId: 'wx_component',
      createdAt: 1_535_442_403_000,
      infoType: 'notify_third_fasteregister',
      fields,
    });
  });

  it('keeps numeric-looking appids and tickets as strings', () => {
    const ticket = parseWeChatMessage(
      msg({ ...ticketFields, AppId: '0012', ComponentVerifyTicket: '000123456789012345678901234567890' }),
    );
    expect(ticket).toMatchObject({ componentAppId: '0012', ticket: '000123456789012345678901234567890' });
    const auth = parseWeChatMessage(
      msg({ ...authFields, AppId: '0012', AuthorizerAppid: '1e10', AuthorizationCode: '0x1F' }),
    );
    expect(auth).toMatchObject({ componentAppId: '0012', authorizerAppId: '1e10', authorizationCode: '0x1F' });
    const plain = parseWeChatMessage(
      '<xml><AppId>0012</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>0099</ComponentVerifyTicket></xml>',
    );
    expect(plain).toMatchObject({ componentAppId: '0012', ticket: '0099', createdAt: 1000 });
  });

  it.each([
    ['AppId', 'ticket'],
    ['InfoType', 'ticket'],
    ['CreateTime', 'ticket'],
    ['ComponentVerifyTicket', 'ticket'],
    ['AuthorizerAppid', 'auth'],
    ['AuthorizationCode', 'auth'],
  ])('refuses a message without %s', (field, which) => {
    const base: Record<string, string> = which === 'ticket' ? { ...ticketFields } : { ...authFields };
    delete base[field];
    malformed(() => parseWeChatMessage(msg(base)));
    malformed(() => parseWeChatMessage(msg({ ...(which === 'ticket' ? ticketFields : authFields), [field]: '' })));
  });

  it('refuses unauthorized without AuthorizerAppid', () => {
    malformed(() => parseWeChatMessage(msg({ AppId: 'wx1', CreateTime: '1', InfoType: 'unauthorized' })));
  });

  it.each([['soon'], ['-5'], ['1.5'], ['1234567890123']])('refuses CreateTime %j', (createTime) => {
    malformed(() => parseWeChatMessage(msg({ ...ticketFields, CreateTime: createTime })));
  });

  it.each([['not xml'], [''], ['<xml><AppId>wx1</AppId>'], ['{"InfoType":"component_verify_ticket"}']])(
    'refuses plaintext %j',
    (plaintext) => {
      malformed(() => parseWeChatMessage(plaintext));
    },
  );
});

describe('plainEnvelopeEncrypt (the envelope fast path)', () => {
  const encrypt = 'q83+Fz/0aB9xYw==';
  const shapes = [
    `<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    `<xml><AppId><![CDATA[wx_component-1]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    `<xml>\n  <Encrypt><![CDATA[${encrypt}]]></Encrypt>\n</xml>\n`,
  ];

  it("reads the platform's own shapes", () => {
    for (const xml of shapes) {
      expect(plainEnvelopeEncrypt(xml)).toBe(encrypt);
      expect(parseWeChatXml(xml).Encrypt).toBe(encrypt);
    }
  });

  it('answers what the hardened parser answers wherever it answers (5,000 mutated envelopes)', () => {
    // Deterministic mutations: inserts, deletions and replacements of XML-significant characters.
    const alphabet = [
      '<',
      '>',
      '/',
      '!',
      '[',
      ']',
      '&',
      '"',
      "'",
      ' ',
      '\n',
      '\u3000',
      '\uFEFF',
      '=',
      'x',
      'A',
      '-',
      '?',
    ];
    let fast = 0;
    let mutatedAccepted = 0;
    for (const xml of mutated(shapes, alphabet, 5000, 42)) {
      const quick = plainEnvelopeEncrypt(xml);
      if (quick === undefined) continue;
      fast++;
      if (!shapes.includes(xml)) mutatedAccepted++;
      expect([xml, parseWeChatXml(xml).Encrypt]).toEqual([xml, quick]);
    }
    // The mutations reach the fast path both unchanged in meaning (whitespace, name or value
    // characters) and not at all (anything structural): both sides are exercised.
    expect(fast).toBeGreaterThan(100);
    expect(mutatedAccepted).toBeGreaterThan(50);
  });

  it('leaves every other shape to the parser', () => {
    for (const xml of [
      `<?xml version="1.0"?><xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
      `<xml><Encrypt>${encrypt}</Encrypt></xml>`,
      `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
      `<xml><__proto__><![CDATA[x]]></__proto__><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
      `<xml><ToUserName><![CDATA[a]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
      `\uFEFF<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    ])
      expect(plainEnvelopeEncrypt(xml)).toBeUndefined();
  });
});
