# pitchfree: docker build -t pitchfree . && docker run --rm -e DISCORD_TOKEN \
#   -v "$PWD/config:/config:ro" -v pitchfree-data:/data pitchfree
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PITCHFREE_DB=/data/pitchfree.db \
    PITCHFREE_CONFIG_DIR=/config \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY plugins ./plugins
COPY bench ./bench
COPY config /config
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /data pitchfree \
    && mkdir -p /data && chown pitchfree /data

USER pitchfree
VOLUME ["/config", "/data"]
ENTRYPOINT ["pitchfree"]
CMD ["run"]
