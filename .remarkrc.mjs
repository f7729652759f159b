// Link check of README.md and docs/ (`npm run docs:links`, part of `npm test`), offline:
// remark-validate-links resolves relative links to files and `#anchors` to headings (GitHub's
// slugs); external http(s) links are only checked for syntax by scripts/remark-url-syntax.mjs,
// because the machines that run the tests have no internet.
import remarkValidateLinks from 'remark-validate-links';
import remarkUrlSyntax from './scripts/remark-url-syntax.mjs';

export default {
  plugins: [
    // No repository: links are checked on disk only, whatever the clone's remote is.
    [remarkValidateLinks, { repository: false }],
    remarkUrlSyntax,
  ],
};
