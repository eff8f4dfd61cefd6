#!/usr/bin/env python3
"""Response fixtures for the routes letta-sync uses (issue 21 item 7).

One JSON file per route in tests/fixtures/letta-api/responses/, built from the OpenAPI
document (tests/fixtures/letta-api/openapi.json): the 200 answer's schema, every property
present (optional ones too, since the real server returns them), values taken from the
property's `examples`, `example` or `default`, else from its type. They show what a full
answer of the real server looks like, field for field.

  response_fixtures.py gen            (re)write the fixtures
  response_fixtures.py check          the fixtures are current and valid against their schemas
  response_fixtures.py sim URL KEY    letta-sim's answers on each route have every field of the
                                      route's fixture, and validate against the route's schema

The third mode is run by tests/e2e/t0621-sim-response-fixtures.sh; the first two by the ctest
lint/response-fixtures. Needs python3-jsonschema.
"""
import copy
import json
import os
import re
import sys
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(ROOT, "tests", "fixtures", "letta-api", "openapi.json")
OUT = os.path.join(ROOT, "tests", "fixtures", "letta-api", "responses")

# The routes letta-sync calls (src/api/letta.c, src/api/apply.c, src/core/plan*.c).
ROUTES = [
    ("GET", "/v1/agents/"),
    ("POST", "/v1/agents/"),
    ("GET", "/v1/agents/{agent_id}"),
    ("PATCH", "/v1/agents/{agent_id}"),
    ("GET", "/v1/blocks/"),
    ("POST", "/v1/blocks/"),
    ("PATCH", "/v1/blocks/{block_id}"),
    ("GET", "/v1/tools/"),
    ("PUT", "/v1/tools/"),
    ("PATCH", "/v1/tools/{tool_id}"),
    ("GET", "/v1/folders/"),
    ("POST", "/v1/folders/"),
    ("PATCH", "/v1/folders/{folder_id}"),
    ("GET", "/v1/folders/{folder_id}/files"),
    ("GET", "/v1/identities/"),
    ("POST", "/v1/identities/"),
    ("PUT", "/v1/identities/"),
    ("GET", "/v1/mcp-servers/"),
    ("POST", "/v1/mcp-servers/"),
    ("PATCH", "/v1/mcp-servers/{mcp_server_id}"),
    ("GET", "/v1/mcp-servers/{mcp_server_id}/tools"),
    ("GET", "/v1/tags/"),
    ("GET", "/v1/models/"),
    ("GET", "/v1/models/embedding"),
]

UUID = "00000000-0000-4000-8000-000000000000"
# Of a union, the variant the fixtures show: MCP servers as letta-sync's examples use them.
PREFER = ("#/components/schemas/StreamableHTTPMCPServer",)


def load_spec():
    with open(SPEC, encoding="utf-8") as f:
        return json.load(f)


def route_schema(spec, method, path):
    op = spec["paths"][path][method.lower()]
    resp = op["responses"].get("200") or op["responses"]["201"]
    return resp["content"]["application/json"]["schema"]


def fixture_name(method, path):
    slug = re.sub(r"[{}]", "", path.strip("/")).replace("/", "_") or "root"
    return "%s_%s.json" % (method, slug)


def resolve(spec, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


def string_for(schema):
    pat = schema.get("pattern", "")
    m = re.match(r"^\^([a-z_]+)-", pat)
    if m:
        return "%s-%s" % (m.group(1), UUID)
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt in ("uri", "url"):
        return "https://example.com/"
    return "string"


def instance(spec, schema, stack=()):
    """A value for schema: every property, examples first."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        return None
    for key in ("examples", "example", "default", "const"):
        if key in schema:
            v = schema[key]
            if key == "examples" and isinstance(v, list):
                if not v:
                    continue
                v = v[0]
            if v is not None or key == "default":
                return copy.deepcopy(v)
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if resolve(spec, o).get("type") != "null"]
            if not options:
                return None
            options.sort(key=lambda o: o.get("$ref") not in PREFER)
            name = options[0].get("$ref", "")
            if name and name in stack:
                return None
            return instance(spec, options[0], stack + (name,))
    if "allOf" in schema:
        out = {}
        for part in schema["allOf"]:
            v = instance(spec, part, stack)
            if isinstance(v, dict):
                out.update(v)
        return out
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t == "object" or "properties" in schema:
        out = {}
        for k, sub in schema.get("properties", {}).items():
            ref = sub.get("$ref", "") if isinstance(sub, dict) else ""
            if ref and (ref in stack or len(stack) > 6):
                out[k] = None
                continue
            out[k] = instance(spec, sub, stack + ((ref,) if ref else ()))
        return out
    if t == "array":
        item = instance(spec, schema.get("items", {}), stack)
        return [] if item is None else [item]
    if t == "string":
        return string_for(schema)
    if t == "integer":
        return max(0, schema.get("minimum", 0))
    if t == "number":
        return 0.0
    if t == "boolean":
        return False
    return None


def fixture(spec, method, path):
    return {
        "route": "%s %s" % (method, path),
        "source": "openapi.json: the 200 answer's schema, every property, values from its examples",
        "body": instance(spec, route_schema(spec, method, path)),
    }


def validator(spec, schema):
    import jsonschema

    root = dict(schema)
    root["components"] = spec["components"]
    return jsonschema.Draft202012Validator(root)


def errors_of(spec, schema, value):
    v = validator(spec, schema)
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(top)", e.message[:200])
            for e in v.iter_errors(value)]


def gen():
    spec = load_spec()
    os.makedirs(OUT, exist_ok=True)
    for method, path in ROUTES:
        with open(os.path.join(OUT, fixture_name(method, path)), "w", encoding="utf-8") as f:
            json.dump(fixture(spec, method, path), f, indent=2, sort_keys=True)
            f.write("\n")
    return 0


def check():
    spec = load_spec()
    bad = 0
    names = set()
    for method, path in ROUTES:
        name = fixture_name(method, path)
        names.add(name)
        p = os.path.join(OUT, name)
        want = fixture(spec, method, path)
        try:
            with open(p, encoding="utf-8") as f:
                have = json.load(f)
        except OSError:
            print("missing fixture %s: run %s gen" % (p, sys.argv[0]))
            bad += 1
            continue
        if have != want:
            print("%s is not what openapi.json gives: run %s gen" % (p, sys.argv[0]))
            bad += 1
        for e in errors_of(spec, route_schema(spec, method, path), have["body"]):
            print("%s does not fit the schema: %s" % (name, e))
            bad += 1
    for extra in sorted(set(os.listdir(OUT)) - names):
        print("fixture for no route: %s" % extra)
        bad += 1
    print("%d fixtures, %d problems" % (len(ROUTES), bad))
    return 1 if bad else 0


class Sim:
    def __init__(self, url, key):
        self.url = url.rstrip("/")
        self.key = key

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.key)
        req.add_header("User-Agent", "letta-sync-fixtures/1")  # a legacy client: everything
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read().decode() or "null")


def missing_keys(fixture_body, answer):
    """Top-level keys of the fixture that the answer lacks (first item of lists)."""
    if isinstance(fixture_body, list):
        if not fixture_body or not isinstance(fixture_body[0], dict):
            return []
        if not answer:
            return ["(empty list: nothing to compare)"]
        fixture_body, answer = fixture_body[0], answer[0]
    if not isinstance(fixture_body, dict) or not isinstance(answer, dict):
        return []
    return sorted(k for k in fixture_body if k not in answer)


def sim(url, key):
    spec = load_spec()
    s = Sim(url, key)
    src = 'def lookup(q: str) -> str:\n    """Look up.\n\n    Args:\n        q: the query\n    """\n    return q\n'
    answers = {}
    answers[("POST", "/v1/blocks/")] = b = s.call("POST", "/v1/blocks/", {"label": "persona", "value": "v"})
    answers[("PATCH", "/v1/blocks/{block_id}")] = s.call("PATCH", "/v1/blocks/" + b["id"], {"value": "w"})
    answers[("GET", "/v1/blocks/")] = s.call("GET", "/v1/blocks/")
    answers[("PUT", "/v1/tools/")] = t = s.call("PUT", "/v1/tools/", {"source_code": src, "tags": ["x"]})
    answers[("PATCH", "/v1/tools/{tool_id}")] = s.call("PATCH", "/v1/tools/" + t["id"], {"description": "d"})
    answers[("GET", "/v1/tools/")] = s.call("GET", "/v1/tools/?name=lookup")
    answers[("POST", "/v1/folders/")] = f = s.call(
        "POST", "/v1/folders/", {"name": "docs", "embedding": "openai/text-embedding-3-small"})
    answers[("PATCH", "/v1/folders/{folder_id}")] = s.call("PATCH", "/v1/folders/" + f["id"], {"description": "d"})
    answers[("GET", "/v1/folders/")] = s.call("GET", "/v1/folders/")
    answers[("POST", "/v1/identities/")] = s.call(
        "POST", "/v1/identities/", {"identifier_key": "k", "name": "n", "identity_type": "user"})
    answers[("PUT", "/v1/identities/")] = s.call(
        "PUT", "/v1/identities/", {"identifier_key": "k", "name": "m", "identity_type": "user"})
    answers[("GET", "/v1/identities/")] = s.call("GET", "/v1/identities/")
    answers[("POST", "/v1/mcp-servers/")] = m = s.call(
        "POST", "/v1/mcp-servers/",
        {"server_name": "search", "config": {"mcp_server_type": "streamable_http", "server_url": "https://mcp.example.com/mcp"}})
    answers[("PATCH", "/v1/mcp-servers/{mcp_server_id}")] = s.call(
        "PATCH", "/v1/mcp-servers/" + m["id"],
        {"config": {"mcp_server_type": "streamable_http", "server_url": "https://mcp.example.com/mcp2"}})
    answers[("GET", "/v1/mcp-servers/")] = s.call("GET", "/v1/mcp-servers/")
    answers[("GET", "/v1/mcp-servers/{mcp_server_id}/tools")] = s.call("GET", "/v1/mcp-servers/%s/tools" % m["id"])
    answers[("POST", "/v1/agents/")] = a = s.call(
        "POST", "/v1/agents/", {"name": "a", "model": "openai/gpt-4o-mini", "block_ids": [b["id"]],
                                "tool_ids": [t["id"]], "tags": ["t"]})
    answers[("PATCH", "/v1/agents/{agent_id}")] = s.call("PATCH", "/v1/agents/" + a["id"], {"description": "d"})
    answers[("GET", "/v1/agents/{agent_id}")] = s.call("GET", "/v1/agents/" + a["id"])
    answers[("GET", "/v1/agents/")] = s.call("GET", "/v1/agents/")
    answers[("GET", "/v1/tags/")] = s.call("GET", "/v1/tags/")
    answers[("GET", "/v1/models/")] = s.call("GET", "/v1/models/")
    answers[("GET", "/v1/models/embedding")] = s.call("GET", "/v1/models/embedding")
    # A file to list: upload needs multipart; an empty list still checks the shape.
    answers[("GET", "/v1/folders/{folder_id}/files")] = s.call("GET", "/v1/folders/%s/files" % f["id"])
    bad = 0
    for method, path in ROUTES:
        with open(os.path.join(OUT, fixture_name(method, path)), encoding="utf-8") as fh:
            fx = json.load(fh)
        got = answers[(method, path)]
        miss = [k for k in missing_keys(fx["body"], got) if not k.startswith("(empty")]
        if miss:
            print("%s %s: letta-sim lacks fields the server returns: %s" % (method, path, ", ".join(miss)))
            bad += 1
        for e in errors_of(spec, route_schema(spec, method, path), got):
            print("%s %s: letta-sim's answer does not fit the schema: %s" % (method, path, e))
            bad += 1
    print("%d routes, %d problems" % (len(ROUTES), bad))
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "gen":
        return gen()
    if len(argv) >= 2 and argv[1] == "check":
        return check()
    if len(argv) == 4 and argv[1] == "sim":
        return sim(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
