/** Why `url` is not an acceptable external link (bad syntax, scheme or host), or undefined. */
export function urlSyntaxProblem(url: string): string | undefined;
/** The remark plugin: one warning per bad external link. */
export default function remarkUrlSyntax(): (tree: unknown, file: unknown) => void;
