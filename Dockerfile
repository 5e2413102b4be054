# One image per deployable, chosen at build time:
#   docker build --build-arg SERVICE=ordering -t marquee/ordering .   (any service of scripts/src/ports.ts, or bff)
# It runs compiled JavaScript on plain Node: `build:service` bundles the service's entries with the workspace
# code inlined (scripts/src/build-service.ts), and the last stage holds only those bundles and the
# production dependencies of that one workspace — no TypeScript, tsx, compiler or dev dependency.
#   command: node --import ./telemetry.js server.js   (telemetry preloaded, so ioredis and pg are traced)
#   migrations (the chart's Job): node migrate.js

ARG NODE_IMAGE=node:24-slim

# Everything needed to build: the whole workspace with its dev dependencies (esbuild, vite for the web app).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "build with --build-arg SERVICE=<service or bff>" >&2; exit 1; }
RUN npx tsx scripts/src/build-service.ts "${SERVICE}" /out/app
# The BFF serves the built web app (its WEB_APP_DIR, /app/web in the image).
RUN if [ "${SERVICE}" = "bff" ]; then npm run build -w @marquee/web && cp -r web/dist/app /out/app/web; fi
# npm resolves a workspace's dependencies from every workspace's package.json: keep those, and no source.
RUN mkdir -p /out/manifests \
 && find . -name package.json -not -path "*/node_modules/*" -not -path "./.data/*" -exec cp --parents {} /out/manifests/ \; \
 && cp package-lock.json /out/manifests/

# The production dependencies of the one workspace, from the lock file. No install scripts: none of them
# needs one (grpc-js, pg and ioredis are plain JavaScript), and optional ones (embedded-postgres's
# PostgreSQL binaries, only for local development and tests) are left out.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /deps
COPY --from=build /out/manifests/ ./
ARG SERVICE
RUN if [ "${SERVICE}" = "bff" ]; then workspace=bff; else workspace="services/${SERVICE}"; fi \
 && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --workspace "${workspace}" \
 && rm -rf node_modules/@marquee node_modules/.bin \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=dependencies /deps/node_modules ./node_modules
COPY --from=build /out/app ./
# The `node` user of the base image, by number so Kubernetes' runAsNonRoot can check it.
USER 1000:1000
ENTRYPOINT ["node"]
CMD ["--import", "./telemetry.js", "server.js"]
