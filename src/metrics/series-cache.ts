/**
 * prom-client's labelled children (`metric.labels(...)`), made once per combination of label values and kept:
 * a request then looks its child up in two maps and builds no label object. The label values must come from a
 * bounded set (outcomes, operation names of the schema), never from ids: every combination stays in memory.
 */
export class SeriesCache<C> {
  private readonly byFirst = new Map<string, Map<string, C>>();

  constructor(private readonly make: (first: string, second: string) => C) {}

  /** The child for these label values; `second` defaults to '' for a metric with one label. */
  get(first: string, second = ''): C {
    let bySecond = this.byFirst.get(first);
    if (bySecond === undefined) {
      bySecond = new Map();
      this.byFirst.set(first, bySecond);
    }
    let child = bySecond.get(second);
    if (child === undefined) {
      child = this.make(first, second);
      bySecond.set(second, child);
    }
    return child;
  }
}
