# The app image used by docker-compose.yml. Node 24 LTS, production dependencies plus tsx (the runtime loader).
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
CMD ["npx", "tsx", "server/main.ts"]
