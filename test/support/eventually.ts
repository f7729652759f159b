/**
 * Resolves once `check()` holds, looking again every few milliseconds: for work the module does in
 * the background (a renewal behind a served token). Rejects naming `what` after `tries` looks, a
 * bound on the suite rather than a timing assertion.
 */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}
