#!/usr/bin/env bash
# The clients' generated code from openapi/openapi.json: the TypeScript client's types (openapi-typescript,
# installed by scripts/node.sh) and the Python client's pydantic models (datamodel-code-generator, in the
# dev extra). Into the clients' folders, or into DIR given as the only argument (the drift test compares).
set -euo pipefail
cd "$(dirname "$0")/.."
document=openapi/openapi.json
typescript=${1:-clients/typescript/src}
python=${1:-clients/python/src/byline_client}
clients/typescript/node_modules/.bin/openapi-typescript "$document" --output "$typescript/schema.d.ts"
# A preset pins every option that shapes the output to what it meant on that date.
.venv/bin/datamodel-codegen --input "$document" --input-file-type openapi --output "$python/models.py" \
  --preset standard-py311-20261113 --disable-timestamp
