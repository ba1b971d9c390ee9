import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';

interface ConnectionState {
  requestsInFlight: number;
  /** When the connection was opened or last finished a response. */
  idleSince: number;
}

/**
 * The connections of the HTTP listener during a drain, so that none is reset under a request.
 *
 * - While draining, every response carries `Connection: close`: the client opens a new connection for its next
 *   request, which the load balancer sends elsewhere, or which is refused once the listener is closed (a refusal
 *   is safe to retry: nothing was sent).
 * - Closing the listener does not use http.Server.close(), which also destroys every connection that has no request
 *   in progress, the ones just accepted whose request has not been read yet included (a reset for a request the
 *   client has sent). Instead the listener stops accepting, and a connection is ended only after it has been idle
 *   for `idleGraceMs`: long enough for a new connection's request to arrive, and a kept-alive connection idle that
 *   long was not used during the whole delay.
 */
export class ConnectionDraining {
  private draining = false;
  private readonly responses = new Set<ServerResponse>();
  private readonly connections = new Map<Socket, ConnectionState>();

  constructor(
    private readonly server: Server,
    private readonly idleGraceMs = 1000,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { requestsInFlight: 0, idleSince: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    // Prepended so that the header is set before the framework starts writing the response.
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      const state = this.connections.get(request.socket);
      if (state) state.requestsInFlight++;
      this.responses.add(response);
      response.once('close', () => {
        this.responses.delete(response);
        if (state) {
          state.requestsInFlight--;
          state.idleSince = Date.now();
        }
      });
      if (this.draining) response.setHeader('Connection', 'close');
    });
  }

  /** Requests received and not answered yet. */
  get requestsInFlight(): number {
    return this.responses.size;
  }

  /** From now on every response ends its connection, the ones already being handled included. */
  start(): void {
    this.draining = true;
    for (const response of this.responses) {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    }
  }

  /** Stops accepting connections; resolves once every connection has ended, its requests answered. */
  closeListener(): Promise<void> {
    const closed = new Promise<void>((resolve, reject) =>
      NetServer.prototype.close.call(this.server, (error?: Error) =>
        error && (error as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(error) : resolve(),
      ),
    );
    const reaper = setInterval(() => this.endIdleConnections(), 100);
    this.endIdleConnections();
    return closed.finally(() => clearInterval(reaper));
  }

  private endIdleConnections(): void {
    const now = Date.now();
    for (const [socket, state] of this.connections) {
      if (state.requestsInFlight === 0 && now - state.idleSince >= this.idleGraceMs) socket.destroy();
    }
  }
}
