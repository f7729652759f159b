/**
 * Token lookups of one component, as plain numbers: the warm hit adds one to a field (no
 * attribute object, no instrument call) and an observable counter reads them at collection.
 */
export interface LookupTally {
  readonly platform: string;
  readonly component: string;
  authorizerHits: number;
  authorizerMisses: number;
  componentHits: number;
  componentMisses: number;
}

export function newTally(platform: string, component: string): LookupTally {
  return { platform, component, authorizerHits: 0, authorizerMisses: 0, componentHits: 0, componentMisses: 0 };
}
