FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY ingest ingest
COPY queries queries
COPY api api
COPY viz viz
COPY synthetic synthetic
RUN pip install --no-cache-dir . && useradd --create-home linkwatch && mkdir /data && chown linkwatch /data
USER linkwatch
ENV LINKWATCH_DATA_DIR=/data
EXPOSE 8000
CMD ["linkwatch", "serve", "--host", "0.0.0.0", "--port", "8000"]
