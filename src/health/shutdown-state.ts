import { Injectable } from '@nestjs/common';

/** Set when SIGTERM arrives, so that readiness fails and load balancers stop sending work. */
@Injectable()
export class ShutdownState {
  draining = false;
}
