# tci-bot as a container: `tci-bot run` as a non-root user, configured by environment variables
# (e.g. `docker run --env-file .env`), with DATA_DIR (the SQLite database, if used) on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 bot

# The README's install, without the development extras.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY store ./store
RUN pip install . && rm -rf build *.egg-info
# The index of the world's cities, built at install so that the bot reads it from disk from its first start.
ENV CACHE_DIR=/opt/tci-bot/cache
RUN python -m bot.language.city_index && chmod -R a+rX /opt/tci-bot

ENV DATA_DIR=/data \
    PORT=3000
RUN mkdir -p /data && chown bot:bot /data
VOLUME ["/data"]

USER bot
EXPOSE 3000
# /healthz answers 200 while the database answers (curl is not in the slim image; Python is).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"
CMD ["tci-bot", "run"]
