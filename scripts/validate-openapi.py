"""Validates openapi/openapi.json against the OpenAPI 3.1 schema (openapi-spec-validator); prints
every error and exits 1 when there is one. Run by `make test` from a virtualenv the Makefile makes."""

import json
import sys

from openapi_spec_validator import OpenAPIV31SpecValidator

path = sys.argv[1] if len(sys.argv) > 1 else "openapi/openapi.json"
with open(path, encoding="utf-8") as file:
    spec = json.load(file)
errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
for error in errors:
    print(f"{'/'.join(str(p) for p in error.path)}: {error.message}", file=sys.stderr)
print(f"validate-openapi: {path}: {len(errors)} error(s)")
sys.exit(1 if errors else 0)
