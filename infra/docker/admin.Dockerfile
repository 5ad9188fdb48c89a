# syntax=docker/dockerfile:1
# The admin function as an AWS Lambda container image: the operator's API. No torch.
# Build from the repository root:  docker build -f infra/docker/admin.Dockerfile -t tinyeclipse-admin .
ARG LAMBDA_IMAGE=public.ecr.aws/lambda/python:3.12

FROM ${LAMBDA_IMAGE} AS builder
WORKDIR /build
COPY requirements.lock ./
COPY shared/requirements.txt shared/
COPY functions/admin/requirements.txt functions/admin/
RUN pip install --no-cache-dir --target /opt/deps -r functions/admin/requirements.txt -c requirements.lock

FROM ${LAMBDA_IMAGE}
ENV HOME=/tmp \
    PYTHONUNBUFFERED=1
COPY --from=builder /opt/deps ${LAMBDA_TASK_ROOT}/
COPY shared/tinyeclipse ${LAMBDA_TASK_ROOT}/tinyeclipse
COPY functions/__init__.py ${LAMBDA_TASK_ROOT}/functions/
COPY functions/admin ${LAMBDA_TASK_ROOT}/functions/admin
# Byte-code now, not at every cold start (the task root is read-only on Lambda). docker compose starts
# `python -m ...` (infra/local/commands.py): make sure that name exists beside python3.
RUN python3 -m compileall -q ${LAMBDA_TASK_ROOT} \
 && { command -v python >/dev/null || ln -s python3 /var/lang/bin/python; }
# Lambda runs the image as its own unprivileged user; elsewhere (docker compose) nobody, not root.
USER 65534:65534
CMD ["functions.admin.app.handler"]
