# One image for every process; docker-compose.yml picks the command.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY platform/package.json platform/
COPY prisma/package.json prisma/
COPY product-api/package.json product-api/
COPY inventory-core/package.json inventory-core/
COPY inventory-api/package.json inventory-api/
COPY inventory-worker/package.json inventory-worker/
COPY bench/package.json bench/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 WORKER_HOST=0.0.0.0
COPY --from=build --chown=node:node /app /app
USER node
CMD ["node", "product-api/dist/main.js"]
