/**
 * A remark plugin that reports external links whose URL does not parse, or that use a scheme
 * other than http(s) / mailto. The network is never used: remark-validate-links checks local
 * links, and nothing here can check that a remote page exists (the test machines are offline).
 */
import { visit } from 'unist-util-visit';

const ALLOWED = new Set(['http:', 'https:', 'mailto:']);
/** A URL with a scheme (`x:`), as opposed to a relative link or an `#anchor`. */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Checks one link target; returns why it is wrong, or undefined. */
export function urlSyntaxProblem(url) {
  if (!HAS_SCHEME.test(url)) return undefined;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return `invalid URL \`${url}\``;
  }
  if (!ALLOWED.has(parsed.protocol)) return `unexpected scheme \`${parsed.protocol}\` in \`${url}\``;
  if (parsed.protocol !== 'mailto:' && !parsed.hostname.includes('.') && parsed.hostname !== 'localhost') {
    return `no host name in \`${url}\``;
  }
  return undefined;
}

/** The remark plugin: one warning per bad external link, at the link's position. */
export default function remarkUrlSyntax() {
  return (tree, file) => {
    visit(tree, ['link', 'definition', 'image'], (node) => {
      const problem = urlSyntaxProblem(node.url);
      if (problem) file.message(problem, node, 'remark-url-syntax');
    });
  };
}
