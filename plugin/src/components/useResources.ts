import { useEffect, useState } from 'react';
import { SelectableValue } from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';

import { fetchKpis, fetchLocations, fetchRegions, ResourceSource } from '../resources';

export interface EditorOptions {
  kpis: Array<SelectableValue<string>>;
  locations: Array<SelectableValue<string>>;
  regions: Array<SelectableValue<string>>;
  error?: string;
}

/** Dashboard variables as options, so a query can say $location. */
export function variableOptions(): Array<SelectableValue<string>> {
  return getTemplateSrv()
    .getVariables()
    .map((v) => ({ value: '$' + v.name, label: '$' + v.name, description: 'variable' }));
}

/** Loads the editor's option lists from the backend's resources once per data source. */
export function useEditorOptions(ds: ResourceSource): EditorOptions {
  const [opts, setOpts] = useState<EditorOptions>({ kpis: [], locations: [], regions: [] });
  useEffect(() => {
    let live = true;
    Promise.all([fetchKpis(ds), fetchLocations(ds), fetchRegions(ds)])
      .then(([kpis, locations, regions]) => {
        if (!live) {
          return;
        }
        const vars = variableOptions();
        setOpts({
          kpis: [...kpis.map((k) => ({ value: k.name, label: k.title, description: k.unit })), ...vars],
          locations: [...locations.map((l) => ({ value: l.id, label: l.name, description: `${l.id} · ${l.region}` })), ...vars],
          regions: [...regions.map((r) => ({ value: r, label: r })), ...vars],
        });
      })
      .catch((e: unknown) => live && setOpts((o) => ({ ...o, error: e instanceof Error ? e.message : String(e) })));
    return () => {
      live = false;
    };
  }, [ds]);
  return opts;
}
