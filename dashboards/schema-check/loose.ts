/**
 * Loose<T> is T as it appears in dashboard JSON: Grafana's types use TypeScript enums (TooltipMode.Details,
 * VariableHide.dontHide, …) where the JSON holds their plain values ("details", 0). String enums become the
 * union of their values, number enums plain numbers; everything else (required keys, unknown keys, value
 * types, nesting) is checked exactly as @grafana/schema declares it.
 */
export type Loose<T> = T extends string
  ? `${T}`
  : T extends number
    ? number
    : T extends boolean
      ? boolean
      : T extends ReadonlyArray<infer U>
        ? Array<Loose<U>>
        : T extends object
          ? { [K in keyof T]: Loose<T[K]> }
          : T;
