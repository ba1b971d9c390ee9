import { ServiceProcess } from './service-process';

export interface Probe {
  at: number;
  /** HTTP status of /health/ready; 0 when the connection failed. */
  status: number;
}

/** Asks /health/ready every `everyMs` until stopped or the process exits, as a load balancer would. */
export class ReadinessProbe {
  readonly probes: Probe[] = [];
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(service: ServiceProcess, everyMs = 20, onProbe: (status: number) => void = () => undefined) {
    this.loop = (async () => {
      while (!this.stopped && service.running) {
        const at = Date.now();
        const status = await service.readiness();
        this.probes.push({ at, status });
        onProbe(status);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, at + everyMs - Date.now())));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** The first probe at or after `from` that answered `status`. */
  first(status: number, from: number): Probe | undefined {
    return this.probes.find((p) => p.at >= from && p.status === status);
  }
}
