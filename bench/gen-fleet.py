#!/usr/bin/env python3
"""gen-fleet.py DIR [--blocks N] [--tools N] [--agents N] [--private N] [--drift PCT]

Writes the manifests of a fleet into DIR/.letta/manifests/project (make bench, make drills):
N shared Blocks, N Tools, one default Template with --private private blocks (plus two shared
blocks and two tools attached), and --agents Agents declared from it. With --drift PCT the same
fleet with PCT % of each kind edited in git: block values, tool descriptions, and a system
prompt override on agents. Deterministic: the same arguments write the same bytes.
"""
import argparse
import os

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--blocks", type=int, default=500)
ap.add_argument("--tools", type=int, default=50)
ap.add_argument("--agents", type=int, default=100)
ap.add_argument("--private", type=int, default=10)
ap.add_argument("--drift", type=float, default=0.0)
a = ap.parse_args()


def drifted(i, n):
    return i < int(n * a.drift / 100 + 0.5)


m = os.path.join(a.dir, ".letta", "manifests", "project")
os.makedirs(m, exist_ok=True)
with open(os.path.join(m, "blocks.yaml"), "w") as f:
    for i in range(a.blocks):
        v = f"shared block {i}" + (" (edited)" if drifted(i, a.blocks) else "")
        f.write(f"---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {{name: shared_{i}}}\n"
                f"spec: {{label: shared_{i}, value: \"{v}\"}}\n")
with open(os.path.join(m, "tools.yaml"), "w") as f:
    for i in range(a.tools):
        d = f"Tool {i}." + (" Edited." if drifted(i, a.tools) else "")
        f.write(f"""---
apiVersion: letta.ai/v1
kind: Tool
metadata: {{name: tool_{i}}}
spec:
  sourceType: python
  sourceCode: "def tool_{i}(x: str) -> str:\\n    return x\\n"
  jsonSchema: {{type: function, function: {{name: tool_{i}, description: "{d}", parameters: {{type: object, properties: {{x: {{type: string}}}}, required: [x]}}}}}}
""")
shared = "".join(f"      - name: shared_{j}\n" for j in range(min(2, a.blocks)))
private = "".join(f"      - {{label: private_{j}, value: \"private block {j}\"}}\n"
                  for j in range(a.private))
tools = ", ".join(f"tool_{j}" for j in range(min(2, a.tools)))
with open(os.path.join(m, "template.yaml"), "w") as f:
    f.write(f"""apiVersion: letta.ai/v1
kind: Template
metadata: {{name: worker}}
spec:
  default: true
  agent:
    name: worker
    system: "You are a worker."
    modelConfig: {{model: openai/gpt-4o-mini, embedding: openai/text-embedding-3-small}}
    blocks:
{shared}{private}    tools: [{tools}]
    tags: [bench]
""")
with open(os.path.join(m, "agents.yaml"), "w") as f:
    for i in range(a.agents):
        extra = ", system: \"You are worker %d.\"" % i if drifted(i, a.agents) else ""
        f.write(f"---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {{name: agent_{i}}}\n"
                f"spec: {{template: worker, channel: stable{extra}}}\n")
