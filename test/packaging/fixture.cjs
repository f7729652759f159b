module.exports.componentOptions = {
  platform: 'wechat',
  appId: 'wx_packaging_component',
  appSecret: 'packaging-secret',
  token: 'packaging-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
