import { describe, expect, it } from '@jest/globals';
import { consoleFile, consolePage, escapeHtml } from './console-assets.js';

describe('console assets', () => {
  it('escapes every character that could end an attribute or open markup', () => {
    expect(escapeHtml(`/a"b'c<d>e&f`)).toBe('/a&quot;b&#39;c&lt;d&gt;e&amp;f');
  });

  it('puts the served path into the page escaped, and the admin API beside it', () => {
    const page = consolePage(`/x'"><script>alert(1)</script>/open-platform/console`);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('&#39;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;/open-platform/console/console.js');
    expect(page).toContain('/open-platform/admin" />');
    expect(page).not.toContain('{{');
  });

  it('ships the page, its script and its style sheet', () => {
    expect(consoleFile('index.html')).toContain('<html lang="en">');
    expect(consoleFile('console.js')).toContain('textContent');
    expect(consoleFile('console.css')).toContain(':focus-visible');
  });
});
