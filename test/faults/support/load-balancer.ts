import { ServiceProcess } from './service-process';

/**
 * What a load balancer does with readiness, reduced to its rule: an instance leaves the rotation after
 * `unhealthyAfter` consecutive failed probes, and the POS clients then send nothing to it. The drain's delay exists
 * for exactly this: it must outlast the balancer's reaction, so that the listener closes once nobody sends.
 */
export class LoadBalancer {
  private instance: ServiceProcess | null = null;
  private failures = 0;
  /** When the last instance left the rotation (epoch ms), or null. */
  removedAt: number | null = null;

  constructor(private readonly unhealthyAfter = 2) {}

  add(instance: ServiceProcess): void {
    this.instance = instance;
    this.failures = 0;
  }

  /** One readiness answer of the instance in rotation. */
  observe(status: number): void {
    if (!this.instance) return;
    if (status === 200) this.failures = 0;
    else if (++this.failures >= this.unhealthyAfter) {
      this.instance = null;
      this.removedAt = Date.now();
    }
  }

  /** The endpoint to send to, or null while no instance is in rotation. */
  target(): string | null {
    return this.instance?.endpoint ?? null;
  }
}
