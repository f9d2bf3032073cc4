# Build a wheel in one stage, install it into a slim runtime in the next.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY pluginhub ./pluginhub
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 pluginhub
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER pluginhub
WORKDIR /home/pluginhub
ENV PLUGINHUB_DATABASE_URL=sqlite:///home/pluginhub/data/pluginhub.sqlite3 \
    PLUGINHUB_STORAGE_DIR=/home/pluginhub/data/packages \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["sh", "-c", "pluginhub migrate && exec pluginhub serve --host 0.0.0.0 --port 8000"]
