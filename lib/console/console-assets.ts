import { readFileSync } from 'node:fs';

/** A file of the console, shipped beside this module (`npm run build` copies `assets/` into `dist/`). */
export type ConsoleAsset = 'index.html' | 'console.js' | 'console.css';

const cache = new Map<string, string>();

/** The text of one file in `assets/`, read once. */
export function consoleFile(name: ConsoleAsset): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
    cache.set(name, text);
  }
  return text;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * The page, with the path it was served under (global prefix and route prefix included, which
 * only the request knows) so that its assets and the admin API are found from any mount point.
 */
export function consolePage(consolePath: string): string {
  const apiPath = consolePath.replace(/\/console$/i, '/admin');
  return consoleFile('index.html')
    .replaceAll('{{consolePath}}', escapeHtml(consolePath))
    .replaceAll('{{apiPath}}', escapeHtml(apiPath));
}
