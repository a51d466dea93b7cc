FROM python:3.11-slim

# gcc builds jieba's and rank-bm25's pure-Python sdists quickly; make runs the job.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make gcc \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The CPU build of torch: the default index would pull several GB of CUDA wheels.
ENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu \
    QA_DATA_DIR=/data \
    PYTHONUNBUFFERED=1

COPY pyproject.toml README.md Makefile ./
COPY corpus ./corpus
COPY index ./index
COPY qa ./qa
COPY api ./api
COPY eval ./eval
RUN make install && make index

VOLUME ["/data"]
EXPOSE 8000
# Inside a container the service must listen beyond loopback to be reachable at all.
CMD ["make", "run", "HOST=0.0.0.0"]
