#!/usr/bin/env python3
"""gen-fleet.py DIR [--blocks N] [--tools N] [--agents N] [--private N] [--folders N] [--mcp N]
                  [--drift PCT]

Writes the manifests of a fleet into DIR/.letta/manifests/project (make bench, make drills):
N shared Blocks, N Tools, one default Template with --private private blocks (plus two shared
blocks and two tools attached), and --agents Agents declared from it. With --drift PCT the same
fleet with PCT % of each kind edited in git: block values, tool descriptions, and a system
prompt override on agents. --folders N adds Folders folder_I with two files each (DIR/docs/folder_I/,
one drifted with the blocks' percentage) and --mcp N adds MCP servers mcp_I; the template then
uses folder_0 and every tool of mcp_0 (both 0 by default: make bench's fleet). Deterministic: the same arguments write the same bytes.
"""
import argparse
import os

ap = argparse.ArgumentParser()
ap.add_argument("dir")
ap.add_argument("--blocks", type=int, default=500)
ap.add_argument("--tools", type=int, default=50)
ap.add_argument("--agents", type=int, default=100)
ap.add_argument("--private", type=int, default=10)
ap.add_argument("--folders", type=int, default=0)
ap.add_argument("--mcp", type=int, default=0)
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
if a.folders:
    with open(os.path.join(m, "folders.yaml"), "w") as f:
        for i in range(a.folders):
            d = os.path.join(a.dir, "docs", f"folder_{i}")
            os.makedirs(d, exist_ok=True)
            for j in range(2):
                edit = " (edited)" if j == 0 and drifted(i, a.folders) else ""
                with open(os.path.join(d, f"doc_{j}.md"), "w") as doc:
                    doc.write(f"# Folder {i}, document {j}{edit}\n")
            f.write(f"---\napiVersion: letta.ai/v1\nkind: Folder\nmetadata: {{name: folder_{i}}}\n"
                    f"spec: {{embedding: openai/text-embedding-3-small, "
                    f"files: [\"docs/folder_{i}/*.md\"]}}\n")
if a.mcp:
    org = os.path.join(a.dir, ".letta", "manifests", "org")
    os.makedirs(org, exist_ok=True)
    with open(os.path.join(org, "mcp.yaml"), "w") as f:
        for i in range(a.mcp):
            f.write(f"---\napiVersion: letta.ai/v1\nkind: MCPServer\nmetadata: {{name: mcp_{i}}}\n"
                    f"spec: {{layer: org, serverType: streamable_http, "
                    f"serverUrl: \"https://mcp{i}.example.com/mcp\"}}\n")
uses = ""
if a.folders:
    uses += "    folders: [folder_0]\n"
if a.mcp:
    uses += "    mcpTools: [{server: mcp_0, tools: all}]\n"
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
{uses}    tags: [bench]
""")
with open(os.path.join(m, "agents.yaml"), "w") as f:
    for i in range(a.agents):
        extra = ", system: \"You are worker %d.\"" % i if drifted(i, a.agents) else ""
        f.write(f"---\napiVersion: letta.ai/v1\nkind: Agent\nmetadata: {{name: agent_{i}}}\n"
                f"spec: {{template: worker, channel: stable{extra}}}\n")
