import { ResourceSource } from '../resources';
import { KpiInfo, LocationInfo } from '../types';

export const LOCATIONS: LocationInfo[] = [
  { id: 'store-001', name: 'Moscow #1', region: 'central', latitude: 55.7558, longitude: 37.6173 },
  { id: 'store-002', name: 'Saint Petersburg #1', region: 'northwest', latitude: 59.9343, longitude: 30.3351 },
];
export const KPIS: KpiInfo[] = [
  { name: 'nps', title: 'NPS', unit: 'none' },
  { name: 'conversion', title: 'Conversion', unit: 'percentunit' },
];

/** Serves the backend's resource routes from fixed data and records what was asked. */
export class FixedResources implements ResourceSource {
  calls: Array<{ path: string; params?: Record<string, string> }> = [];

  async getResource<T>(path: string, params?: Record<string, string>): Promise<T> {
    this.calls.push({ path, params });
    switch (path) {
      case 'locations':
        return LOCATIONS.filter((l) => !params?.region || l.region === params.region) as T;
      case 'regions':
        return ['central', 'northwest'] as T;
      case 'kpis':
        return KPIS as T;
    }
    throw new Error(`no resource ${path}`);
  }
}
