/**
 * The console page's Content-Security-Policy. Scripts, styles and fetches only from this origin
 * (no inline script or style attribute, no `eval`); images from here or `data:` (the QR code is an
 * SVG shown through an `<img>`, where it cannot run script). Trusted Types are required, so an
 * `innerHTML`-style sink refuses strings: output is built with `textContent` only.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
