# Byline API image: migrations run at start, then uvicorn serves on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BYLINE_HOST=0.0.0.0 \
    BYLINE_PORT=8000 \
    BYLINE_DATABASE_URL=sqlite:////data/byline.db

RUN useradd --create-home --uid 10001 byline \
    && mkdir /data && chown byline /data
WORKDIR /app

# Exactly the releases the lock names, each file checked against its hash.
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
# app/frontend/site links here: the example reader site served at /.
COPY examples/frontend ./examples/frontend
# Editable, so the code finds migrations/ and alembic.ini beside it; its dependencies are in already.
# Its own modules compiled once here: with PYTHONDONTWRITEBYTECODE each process would compile them again.
RUN pip install --no-deps -e . && python -m compileall -q app migrations

USER byline
VOLUME ["/data"]
EXPOSE 8000
CMD ["sh", "-c", "byline db upgrade && exec byline serve"]
