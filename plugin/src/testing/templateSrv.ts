import { ScopedVars, TypedVariableModel } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

/**
 * A TemplateSrv over fixed variable values with Grafana's csv formatting of multi-value variables:
 * enough to test what the plugin sends, without a Grafana instance.
 */
export class FixedTemplateSrv implements TemplateSrv {
  constructor(private readonly vars: Record<string, string | string[]>) {}

  getVariables(): TypedVariableModel[] {
    return Object.keys(this.vars).map((name) => ({ name, type: 'custom' }) as unknown as TypedVariableModel);
  }

  replace(target?: string, scoped?: ScopedVars): string {
    return (target ?? '').replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a: string | undefined, b: string | undefined) => {
      const name = (a ?? b)!;
      const scopedValue = scoped?.[name]?.value;
      const v = scopedValue !== undefined ? (scopedValue as string | string[]) : this.vars[name];
      if (v === undefined) {
        return m;
      }
      return Array.isArray(v) ? v.join(',') : v;
    });
  }

  containsTemplate(target?: string): boolean {
    return /\$\w+/.test(target ?? '');
  }

  updateTimeRange(): void {}
}
