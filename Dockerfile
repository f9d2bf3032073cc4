# Build wheels (pluginhub and every dependency, at the versions in
# constraints.txt) in one stage; install them, offline, into a slim runtime.
# Extras: --build-arg EXTRAS=[tracing] adds OpenTelemetry.
FROM python:3.11-slim AS build
ARG EXTRAS=""
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY pluginhub ./pluginhub
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint constraints.txt ".${EXTRAS}"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 pluginhub \
    && mkdir /data \
    && chown pluginhub:pluginhub /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl \
    && rm -rf /wheels
USER 10001
WORKDIR /home/pluginhub
# Everything the server writes lives in /data: the SQLite database, packages,
# the allow-list, and the secret key it generates under ./data on first run.
RUN ln -s /data /home/pluginhub/data
ENV PLUGINHUB_DATABASE_URL=sqlite:////data/pluginhub.sqlite3 \
    PLUGINHUB_STORAGE_DIR=/data/packages \
    PLUGINHUB_PERSISTED_QUERIES_FILE=/data/persisted-queries.json \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["sh", "-c", "pluginhub migrate && exec pluginhub serve --host 0.0.0.0 --port 8000"]
