# syntax=docker/dockerfile:1
# The front door in production (docker-compose.prod.yml): Caddy with the repository's Caddyfile in its production
# mode, the widget and the admin panel built in, so a server needs neither Node nor a build in its checkout.
# Build from the repository root:  docker build -f infra/docker/caddy.Dockerfile -t tinyeclipse-caddy .
ARG NODE_IMAGE=node:22-bookworm-slim
ARG CADDY_IMAGE=caddy:2.11-alpine

# The admin panel's static export, from the lockfile (the same steps as `make admin/out/index.html`).
FROM ${NODE_IMAGE} AS admin
ENV NEXT_TELEMETRY_DISABLED=1
WORKDIR /admin
COPY admin/package.json admin/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY admin/ ./
RUN npm run build

FROM ${CADDY_IMAGE}
COPY Caddyfile /etc/caddy/Caddyfile
COPY widget/v1 /srv/tinyeclipse/widget/v1
COPY --from=admin /admin/out /srv/admin
# Certificates and ACME accounts live in /data (a named volume takes this owner when it is first created).
RUN mkdir -p /data /config && chown 65534:65534 /data /config
ENV CADDY_MODE=production \
    WIDGET_ROOT=/srv/tinyeclipse \
    ADMIN_ROOT=/srv/admin \
    XDG_DATA_HOME=/data \
    XDG_CONFIG_HOME=/config
# Not root: binding 80 and 443 needs net.ipv4.ip_unprivileged_port_start=0 (Docker's default since 20.10; the
# compose file sets it too).
USER 65534:65534
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
