import { describe, expect, it } from '@jest/globals';
import { redactText, sentCredentials } from './redact.js';

describe('redactText / sentCredentials', () => {
  it('collects the token and every string field but appids, and removes them from text', () => {
    const sent = sentCredentials('ct-123', { component_appid: 'wx_c', authorizer_refresh_token: 'rt-9' }, { n: 1 });
    expect(sent).toEqual(['ct-123', 'rt-9']);
    expect(redactText('bad rt-9 with ct-123 for wx_c, rt-9 again', sent)).toBe(
      'bad [REDACTED] with [REDACTED] for wx_c, [REDACTED] again',
    );
    expect(redactText('nothing to hide', [''])).toBe('nothing to hide');
  });
});
