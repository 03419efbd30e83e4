// citation-js ships no type declarations; these cover the calls folio makes.
declare module '@citation-js/core' {
  export class Cite {
    constructor(data: unknown);
    format(kind: 'bibliography' | 'citation', options: Record<string, unknown>): string;
  }
}
declare module '@citation-js/plugin-csl';
