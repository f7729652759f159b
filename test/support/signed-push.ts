import { MessageCrypto } from '../../lib/crypto/message-crypto.js';
import { COMPONENT_A } from './fixtures.js';

export interface SignedPush {
  query: Record<string, string>;
  body: string;
}

/**
 * Encrypts and signs `innerXml` with a component's real token and key, as only its platform
 * could: the app must refuse such a push on its content alone.
 */
export function signedPush(
  innerXml: string,
  opts: {
    timestamp: number;
    component?: typeof COMPONENT_A;
    /** Trailing appid inside the ciphertext (default: the component's). */
    trailingAppId?: string;
    nonce?: string;
  },
): SignedPush & { encrypt: string; crypto: MessageCrypto } {
  const component = opts.component ?? COMPONENT_A;
  const crypto = new MessageCrypto({ platform: 'wechat', ...component, appId: opts.trailingAppId ?? component.appId });
  const encrypt = crypto.encrypt(innerXml);
  const timestamp = String(opts.timestamp);
  const nonce = opts.nonce ?? '1234567';
  return {
    query: { timestamp, nonce, msg_signature: crypto.signature(timestamp, nonce, encrypt) },
    body: `<xml><AppId><![CDATA[${component.appId}]]></AppId><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    encrypt,
    crypto,
  };
}

/** Signs an arbitrary envelope (any `Encrypt` string, valid ciphertext or not) with the component's token. */
export function signEnvelope(
  encrypt: string,
  timestamp: string,
  nonce = '1234567',
  component = COMPONENT_A,
): Record<string, string> {
  const crypto = new MessageCrypto({ platform: 'wechat', ...component });
  return { timestamp, nonce, msg_signature: crypto.signature(timestamp, nonce, encrypt) };
}
