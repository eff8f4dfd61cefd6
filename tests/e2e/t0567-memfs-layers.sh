#!/usr/bin/env bash
# Layers merge memory files per path (issue 25): the base layer's Agent declares a.md, b.md
# and c.md; the org layer removes c.md (_delete); the project layer changes b.md and adds d.md.
# sync writes a.md (base), b.md (project's), d.md, and not c.md; memory.dir from the base layer
# is kept under the project's files.
. "$(dirname "$0")/lib-e2e.sh"
. "$(dirname "$0")/lib-sync.sh"
. "$(dirname "$0")/lib-memfs.sh"
. "$(dirname "$0")/lib-memfs-sync.sh"
sync_setup
mkdir -p .letta/manifests/base .letta/manifests/org memory/base
write_md memory/base/reference/from-dir.md "From the base folder" $'dir\n'
helper_yaml "You help." | manifest templates.yaml
cat >.letta/manifests/base/agents.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mem}
spec:
  template: helper
  memory:
    dir: memory/base
    files:
      - {path: system/a.md, description: A, value: "base a\n"}
      - {path: system/b.md, description: B, limit: 100, value: "base b\n"}
      - {path: system/c.md, description: C, value: "base c\n"}
YAML
cat >.letta/manifests/org/agents.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mem}
spec:
  memory:
    files:
      - {path: system/c.md, _delete: true}
YAML
cat >.letta/manifests/project/agents.yaml <<'YAML'
apiVersion: letta.ai/v1
kind: Agent
metadata: {name: mem}
spec:
  memory:
    files:
      - {path: system/b.md, value: "project b\n"}
      - {path: system/d.md, description: D, value: "project d\n"}
YAML
git add -A && git commit -qm layers
run validate
expect_rc 0
mem_synced
[ "$(cat "$TMP/c/system/a.md")" = "$(printf -- '---\ndescription: A\n---\nbase a')" ] || fail "a.md: $(cat "$TMP/c/system/a.md")"
# b.md: the project's value over the base's description and limit (merged per path).
[ "$(cat "$TMP/c/system/b.md")" = "$(printf -- '---\ndescription: B\nlimit: 100\n---\nproject b')" ] || fail "b.md: $(cat "$TMP/c/system/b.md")"
[ ! -e "$TMP/c/system/c.md" ] || fail "c.md was removed by the org layer but written"
grep -qx 'project d' "$TMP/c/system/d.md" || fail "d.md missing"
grep -qx 'dir' "$TMP/c/reference/from-dir.md" || fail "the base layer's memory.dir was lost"
blocks_of "$A"
expect_blocks '.b.value == "project b\n" and .b.limit == 100 and (has("c") | not)'
