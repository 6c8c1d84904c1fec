# syntax=docker/dockerfile:1
# One image per Switchboard service, all from this file:
#   docker build --build-arg SERVICE=message-router -t switchboard-message-router .
# SERVICE is the folder under apps/: gateway, message-router, tool-registry, a2a-peer, state,
# task-worker. docs/deploy.md has the details; infra/src/dockerfile.test.ts checks this file.

# Node 26 is the Active LTS line (since 2026-10-28). The image runs the bundle built below, so
# the repo's own Node range (package.json engines) applies to development, not to the image.
ARG NODE_VERSION=26
ARG SERVICE=gateway

FROM node:${NODE_VERSION}-slim AS base
ENV CI=1 TURBO_TELEMETRY_DISABLED=1 PNPM_STORE_DIR=/pnpm/store
WORKDIR /repo
# pnpm at the exact version package.json pins (packageManager), without corepack, which newer
# Node releases no longer ship.
COPY package.json ./
RUN npm install --global --no-fund --no-audit \
      "$(node -p "require('./package.json').packageManager.split('+')[0]")" \
      "turbo@$(node -p "require('./package.json').devDependencies.turbo")"

# Only this service's workspace packages (and infra, which holds the bundling step), with a
# lockfile cut down to them: a change elsewhere in the repo does not rebuild this image.
FROM base AS prune
ARG SERVICE
COPY . .
RUN turbo prune "@switchboard/${SERVICE}" @switchboard/infra --docker

# The web console (apps/console): a React single-page app that vite builds to static files.
FROM base AS console-prune
COPY . .
RUN turbo prune @switchboard/console --docker

FROM base AS console
COPY --from=console-prune /repo/out/json/ ./
RUN --mount=type=cache,id=switchboard-pnpm,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store
COPY --from=console-prune /repo/out/full/ ./
RUN pnpm --filter @switchboard/console build

FROM base AS build
ARG SERVICE
COPY --from=prune /repo/out/json/ ./
RUN --mount=type=cache,id=switchboard-pnpm,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store
COPY --from=prune /repo/out/full/ ./
# Workspace packages export TypeScript source: bundle them with the service's entry into
# apps/<service>/dist/main.js; npm packages stay imports (installed below).
RUN pnpm exec tsx infra/src/main.ts "${SERVICE}"
# The service's production dependencies only, flat (hoisted) so the bundle resolves them.
# The workspace packages are already inside the bundle, so their copies go.
RUN --mount=type=cache,id=switchboard-pnpm,target=/pnpm/store \
    pnpm --filter "@switchboard/${SERVICE}" deploy --legacy --prod \
      --config.node-linker=hoisted --store-dir /pnpm/store /out \
 && rm -rf /out/node_modules/@switchboard /out/src /out/tsconfig.json /out/drizzle.config.ts \
 && cp -r "apps/${SERVICE}/dist" /out/dist
# The gateway image also carries the web console's static files, served at /console/.
COPY --from=console /repo/apps/console/dist /console
RUN if [ "${SERVICE}" = gateway ]; then cp -r /console /out/console; fi

FROM node:${NODE_VERSION}-slim AS runtime
ARG SERVICE
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="switchboard-${SERVICE}" \
      org.opencontainers.image.description="Switchboard ${SERVICE}: one service of the Switchboard multi-agent orchestrator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="node:${NODE_VERSION}-slim"
# tini is PID 1: it forwards SIGTERM to node (which drains and exits) and reaps zombies.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# Only the gateway reads SB_GATEWAY__*; the console folder exists in the gateway image alone.
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps SB_GATEWAY__CONSOLE_DIR=/app/console
WORKDIR /app
COPY --from=build /out/ ./
# uid 1000 is the `node` user of the base image; numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# /readyz, not /healthz: Docker never restarts an unhealthy container, it only reports it (and
# compose waits for it), so the useful signal is "can serve". Kubernetes ignores HEALTHCHECK and
# probes /healthz (liveness) and /readyz (readiness) itself.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
