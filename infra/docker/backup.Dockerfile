# syntax=docker/dockerfile:1
# The scheduled backups (docker-compose.prod.yml's `backup` service): `python3 -m infra.backup schedule`, pg_dump
# into the `backups` volume every day. Built on the database's own image, so pg_dump, pg_restore and psql are the
# server's version; infra/backup.py needs only Python's standard library.
# Build from the repository root:  docker build -f infra/docker/backup.Dockerfile -t tinyeclipse-backup .
ARG POSTGRES_IMAGE=pgvector/pgvector:pg17

FROM ${POSTGRES_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*
COPY infra/__init__.py infra/backup.py /opt/tinyeclipse/infra/
# The backups volume takes this owner when it is first created; dumps are written 0600.
RUN mkdir -p /backups && chown 65534:65534 /backups
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BACKUP_DIR=/backups \
    HOME=/tmp
WORKDIR /opt/tinyeclipse
USER 65534:65534
ENTRYPOINT ["python3", "-m", "infra.backup"]
CMD ["schedule"]
