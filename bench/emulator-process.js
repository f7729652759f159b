// The WeChat emulator in its own process for the renewal benchmarks, so its memory (it keeps every
// authorizer too) is not counted as the module's. Driven over IPC by bench/renewal.js.
import { FakeWeChatPlatform } from 'nest-open-platform/testing';

const component = JSON.parse(process.env.BENCH_COMPONENT);
const fake = new FakeWeChatPlatform({ components: [component], authorizerTokenExpiresIn: 3600 });
await fake.start();

process.on('message', async ({ id, op, args }) => {
  let result;
  if (op === 'codes') {
    // Merchants consent; the codes go to the app, which exchanges them (no push: the app asks).
    result = [];
    for (let i = 0; i < args.count; i++) {
      const { authorizationCode } = await fake.authorize({
        componentAppId: component.appId,
        authorizerAppId: `${args.prefix}${i}`,
        push: false,
      });
      result.push(authorizationCode);
    }
  } else if (op === 'ticket') {
    result = (await fake.pushTicket(args.url, component.appId)).status;
  } else if (op === 'calls') {
    result = fake.calls(args.endpoint);
  } else if (op === 'stop') {
    await fake.stop();
    process.send({ id, result: true }, () => process.exit(0));
    return;
  }
  process.send({ id, result });
});
process.send({ ready: fake.baseUrl });
