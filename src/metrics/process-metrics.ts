import { getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics, Gauge, Metric, Registry } from 'prom-client';

let processMetrics: Metric[] | null = null;

/**
 * prom-client's default metrics (CPU, memory, heap, event-loop lag, GC, handles) and the heap's cap, on
 * `registry`. They describe the process, so they are made once per process and registered on each application's
 * registry: the event-loop monitor and the GC observer they start cannot be stopped, and a process that builds
 * several applications (the tests) would otherwise run one of each per application.
 */
export function registerProcessMetrics(registry: Registry): void {
  if (processMetrics === null) {
    const own = new Registry();
    collectDefaultMetrics({ register: own });
    new Gauge({
      name: 'loyalty_heap_limit_bytes',
      help: "V8's heap size limit: the cap that --max-old-space-size sets (compare nodejs_heap_size_used_bytes).",
      registers: [own],
    }).set(getHeapStatistics().heap_size_limit);
    processMetrics = own.getMetricsAsArray() as unknown as Metric[];
  }
  for (const metric of processMetrics) registry.registerMetric(metric);
}
