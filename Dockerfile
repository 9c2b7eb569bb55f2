# syntax=docker/dockerfile:1
# The bridge as a container image. Building needs only the npm registry: `prisma generate` (run by
# npm ci's postinstall) uses the engine-free client and downloads nothing.
# Node.js 24, the LTS line CI runs the tests on (.ci/run); Node.js 20 reached end of life in April 2026.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The admin console (served at /admin/), built by Vite into dist/console beside the server.
COPY console ./console
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# MALLOC_ARENA_MAX: glibc gives each thread that allocates (libuv's pool, V8's helpers) its own malloc
# arena; two are enough for the bridge and keep an idle process about 8 MiB smaller (README, Performance).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The recorded IdP scenarios `scim-bridge harness replay --scenario okta|entra` plays.
COPY test/fixtures/idp ./test/fixtures/idp
# The bridge applies prisma/migrations itself at start.
COPY prisma/migrations ./prisma/migrations
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
# Ready, not just alive: /readyz answers 503 while the database is unreachable. PORT as the bridge reads it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/scim-bridge.js", "serve"]
