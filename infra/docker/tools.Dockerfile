# syntax=docker/dockerfile:1
# The database set-up tool, `python -m infra.database bootstrap|migrate|seed-demo`: docker compose runs it
# once before the functions start. The shared runtime plus alembic for the migrations; no torch, not a Lambda.
# Build from the repository root:  docker build -f infra/docker/tools.Dockerfile -t tinyeclipse-tools .
ARG LAMBDA_IMAGE=public.ecr.aws/lambda/python:3.12

FROM ${LAMBDA_IMAGE} AS builder
WORKDIR /build
COPY requirements.lock ./
COPY shared/requirements.txt shared/
COPY infra/docker/tools.requirements.txt infra/docker/
RUN pip install --no-cache-dir --target /opt/deps -r infra/docker/tools.requirements.txt -c requirements.lock

FROM ${LAMBDA_IMAGE}
ENV HOME=/tmp \
    PYTHONUNBUFFERED=1
COPY --from=builder /opt/deps ${LAMBDA_TASK_ROOT}/
COPY shared/tinyeclipse ${LAMBDA_TASK_ROOT}/tinyeclipse
COPY infra/__init__.py infra/database.py infra/backup.py ${LAMBDA_TASK_ROOT}/infra/
COPY infra/local/__init__.py infra/local/commands.py infra/local/seed.py ${LAMBDA_TASK_ROOT}/infra/local/
COPY infra/local/demo ${LAMBDA_TASK_ROOT}/infra/local/demo
# Byte-code now, not at every cold start (the task root is read-only on Lambda). docker compose starts
# `python -m ...` (infra/local/commands.py): make sure that name exists beside python3.
RUN python3 -m compileall -q ${LAMBDA_TASK_ROOT} \
 && { command -v python >/dev/null || ln -s python3 /var/lang/bin/python; }
# seed-demo leaves the demo tenant's id here for Caddy's demo page (a named volume takes this owner).
RUN mkdir -p /run/tinyeclipse && chown 65534:65534 /run/tinyeclipse
USER 65534:65534
WORKDIR ${LAMBDA_TASK_ROOT}
ENTRYPOINT ["python", "-m", "infra.database"]
CMD ["bootstrap", "migrate", "seed-demo"]
