import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/** The query types the backend answers (pkg/plugin/query.go keeps the same names). */
export type QueryType = 'timeseries' | 'current' | 'geo' | 'events' | 'maturity' | 'cases' | 'reasons' | 'breakdown' | 'handoff' | 'audits';

export const QUERY_TYPES: Array<{ value: QueryType; label: string; description: string }> = [
  { value: 'timeseries', label: 'Time series', description: 'KPIs over the panel range, one series per location and KPI' },
  { value: 'current', label: 'Current', description: 'One row per location and KPI: value, n and status' },
  { value: 'geo', label: 'Geo map', description: 'One row per location with coordinates and its worst status' },
  { value: 'events', label: 'Events', description: 'Recent raw events, e.g. survey comments' },
  { value: 'maturity', label: 'CX maturity', description: 'CX maturity assessments by stage and question level' },
  { value: 'cases', label: 'Cases', description: 'Closed-loop cases (linked to the inbox), case KPIs per location and the root-cause Pareto' },
  { value: 'reasons', label: 'Reasons', description: 'Follow-up reasons per location: share, 95 % interval, Pareto and the rise test' },
  { value: 'breakdown', label: 'Breakdown', description: 'Like-Index per subject, or consultations and sales per employee' },
  { value: 'handoff', label: 'Review hand-off', description: 'Review invitations shown, clicks and hand-off rate per platform' },
  { value: 'audits', label: 'Audits (ИВС)', description: 'Standard compliance index of service audits: per location, factor, employee; trend; latest visits' },
];

export type BreakdownBy = 'subject' | 'seller';

export const BREAKDOWN_BY: Array<{ value: BreakdownBy; label: string }> = [
  { value: 'subject', label: 'Per subject' },
  { value: 'seller', label: 'Per employee' },
];

export type SeriesGroup = 'location' | 'region' | 'all';

export const SERIES_GROUPS: Array<{ value: SeriesGroup; label: string }> = [
  { value: 'location', label: 'Per location' },
  { value: 'region', label: 'Per region' },
  { value: 'all', label: 'All together' },
];

export const EVENT_TYPES = ['button', 'counter', 'pos', 'survey', 'message', 'case', 'review'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An ad-hoc filter as Grafana hands it to applyTemplateVariables. */
export interface CxmFilter {
  key: string;
  operator: string;
  value: string;
}

export interface CxmQuery extends DataQuery {
  queryType?: QueryType;
  /** KPI names (nps, csat, ...); empty means every KPI. */
  kpis?: string[];
  /** Location ids or template variables; empty means every location (of the region, when one is set). */
  locations?: string[];
  region?: string;
  /** Several regions (a multi-value region variable): locations of any of them. */
  regions?: string[];
  /** timeseries: one series per location (default), per region, or one for all selected locations. */
  group?: SeriesGroup;
  /** current/geo: the status window the pipeline evaluates (e.g. 15m, 1h, 1d); empty means each KPI's shortest. */
  window?: string;
  /** events: event types to show; empty means all. */
  eventTypes?: EventType[];
  /** events: only events with a survey comment. */
  withComment?: boolean;
  /** events: at most this many rows, newest first. */
  limit?: number;
  /** ad-hoc filters on location / region, filled in by applyTemplateVariables. */
  filters?: CxmFilter[];
  /** breakdown: per subject or per employee (seller). */
  by?: BreakdownBy;
  /** breakdown: only these subjects or sellers; empty means all. */
  keys?: string[];
  /** audits: a dimension (factor, employee, element; empty: the visit's ИВС). */
  auditBy?: '' | 'factor' | 'employee' | 'element';
  /** audits: a trend with one point per UTC day, week or month; empty: one figure for the range. */
  auditStep?: '' | 'day' | 'week' | 'month';
  /** audits: the latest visits (with evidence) instead of figures. */
  auditVisits?: boolean;
  /** audits: one checklist template; empty: every template. */
  template?: string;
}

export const DEFAULT_QUERY: Partial<CxmQuery> = {
  queryType: 'timeseries',
  kpis: [],
  locations: [],
  region: '',
  window: '',
};

/** jsonData: everything but the password. */
export interface CxmOptions extends DataSourceJsonData {
  /** host:port of ClickHouse's native protocol, comma separated for several replicas. */
  address?: string;
  database?: string;
  username?: string;
  tls?: boolean;
  /** Path of the cxm YAML on the Grafana host: the location registry and the KPI thresholds. */
  configPath?: string;
  /** Comma-separated location ids this data source is limited to (with regions; empty: all). */
  locations?: string;
  /** Comma-separated regions this data source is limited to (with locations; empty: all). */
  regions?: string;
}

export interface CxmSecureJsonData {
  password?: string;
}

/** A variable query: what list to return (served by the backend's resources). */
export interface CxmVariableQuery extends DataQuery {
  kind: 'locations' | 'regions' | 'kpis';
  /** locations: only those of this region (may be a variable). */
  region?: string;
}

export interface LocationInfo {
  id: string;
  name: string;
  region: string;
  latitude: number;
  longitude: number;
}

export interface KpiInfo {
  name: string;
  title: string;
  unit: string;
}
