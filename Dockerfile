# The gateway image: non-root, locked dependencies, serves on :8000.
FROM python:3.11-slim

# The image is a deployment: it refuses to start without its keys and a PostgreSQL URL
# (AMO_TOKEN_KEY, AMO_DATA_KEYS, AMO_INDEX_KEY, AMO_DATABASE_URL) rather than generate keys
# inside a container that the next deployment replaces.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    AMO_ENV=production AMO_HOST=0.0.0.0 AMO_PORT=8000 AMO_STATE_DIR=/var/lib/amo

RUN useradd --system --create-home --home-dir /home/amo --uid 10001 amo \
    && mkdir -p /var/lib/amo && chown amo /var/lib/amo

WORKDIR /app
COPY requirements.lock ./
RUN pip install --disable-pip-version-check -r requirements.lock
COPY pyproject.toml README.md ./
COPY domain domain
COPY fhir_profiles fhir_profiles
COPY adapters adapters
COPY gateway gateway
COPY refdata refdata
RUN pip install --disable-pip-version-check --no-deps -e .

USER amo
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
# The same image runs the notification worker with the command `amo-gateway worker`.
CMD ["amo-gateway", "serve", "--host", "0.0.0.0", "--port", "8000"]
