// Our verify + decrypt of a WeChat push against the `wechat-crypto` package on the same messages.
// Imported by benchmarks.js; `node bench/crypto.js` runs these rows alone (after `npm run build`).
import { pathToFileURL } from 'node:url';
import WXBizMsgCrypt from 'wechat-crypto';
import { MessageCrypto } from 'nest-open-platform';
import { compare, printTable } from './measure.js';

const token = 'bench-token';
const encodingAesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const appId = 'wx_bench';
const timestamp = '1413192605';
const nonce = '1320562132';

const ticketPush = [
  '<xml><AppId><![CDATA[wx_bench]]></AppId><CreateTime>1413192605</CreateTime>',
  '<InfoType><![CDATA[component_verify_ticket]]></InfoType>',
  `<ComponentVerifyTicket><![CDATA[ticket@@@${'x'.repeat(86)}]]></ComponentVerifyTicket></xml>`,
].join('');
const fourKiB = `<xml><AppId><![CDATA[wx_bench]]></AppId><Content><![CDATA[${'y'.repeat(4096 - 66)}]]></Content></xml>`;

function entry(label, message) {
  // Each entry gets its own instances and message so rows do not share state.
  const ours = new MessageCrypto({ platform: 'wechat', token, encodingAesKey, appId });
  const theirs = new WXBizMsgCrypt(token, encodingAesKey, appId);
  const encrypt = ours.encrypt(message);
  const signature = ours.signature(timestamp, nonce, encrypt);
  return {
    name: `verify + decrypt (WeChat push, ${label}, ${encrypt.length} B Encrypt)`,
    baselineName: 'wechat-crypto getSignature + decrypt',
    options: { batch: 2000 },
    setup: () => {
      // Both sides must do the same job on the same bytes, or the ratio means nothing.
      if (theirs.getSignature(timestamp, nonce, encrypt) !== signature) throw new Error('signatures differ');
      if (theirs.decrypt(encrypt).message !== message || ours.decrypt(encrypt) !== message) {
        throw new Error('decryptions differ');
      }
    },
    ours: () => {
      ours.assertSignature(signature, timestamp, nonce, encrypt);
      return ours.decrypt(encrypt);
    },
    // The package's own checks only: a plain signature compare, no padding, length or appid check.
    baseline: () => {
      if (theirs.getSignature(timestamp, nonce, encrypt) !== signature) throw new Error('signature mismatch');
      return theirs.decrypt(encrypt).message;
    },
    judge: (ratio) => ({ reading: `${ratio.toFixed(2)}× wechat-crypto's rate`, target: '≥ 1×', met: ratio >= 1 }),
  };
}

export const cryptoBenchmarks = [entry('ticket', ticketPush), entry('4 KiB message', fourKiB)];

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = [];
  for (const b of cryptoBenchmarks) {
    b.setup();
    const r = await compare(b.ours, b.baseline, b.options);
    rows.push({ name: b.name, baseline: b.baselineName, ...r, ...b.judge(r.ratio) });
  }
  printTable(rows);
}
