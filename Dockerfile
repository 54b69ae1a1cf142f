# onsale: multi-stage build on Node 20 / Debian bookworm, runs as a non-root user.
# TypeScript runs through tsx (a runtime dependency); the build stage installs and builds
# the web app (npm's prepare script: vite build into client/web/dist).

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# The web app's build reads client/ and the shared protocol modules under src/.
COPY client ./client
COPY src ./src
# The lock file lacks other platforms' optional binaries (see .ci/run): fall back to install.
RUN npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ONSALE_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY client ./client
COPY --from=deps /app/client/web/dist ./client/web/dist
# The PGlite cluster template a first start copies instead of running initdb
# (src/persistence/install.ts): the deps stage's postinstall made it; this keeps it, or makes it.
RUN node --import tsx src/persistence/install.ts && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Run node directly (not npm) so SIGTERM reaches the server and it shuts down cleanly.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
