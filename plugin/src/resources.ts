import { KpiInfo, LocationInfo } from './types';

/** The backend's CallResource routes (pkg/plugin/resources.go). */
export interface ResourceSource {
  getResource<T>(path: string, params?: Record<string, string>): Promise<T>;
}

export function fetchLocations(src: ResourceSource, region?: string): Promise<LocationInfo[]> {
  return src.getResource<LocationInfo[]>('locations', region ? { region } : undefined);
}

export function fetchRegions(src: ResourceSource): Promise<string[]> {
  return src.getResource<string[]>('regions');
}

export function fetchKpis(src: ResourceSource): Promise<KpiInfo[]> {
  return src.getResource<KpiInfo[]>('kpis');
}
