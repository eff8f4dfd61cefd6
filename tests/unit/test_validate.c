/* core/validate: each kind's schema and rules, cross-references, what the API would refuse. */
#include "core/layers.h"
#include "core/validate.h"
#include "util/buf.h"
#include "util/xalloc.h"
#include "util/yamlx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#define DOC(kind, name, spec) \
	"---\napiVersion: letta.ai/v1\nkind: " kind "\nmetadata:\n  name: " name "\nspec:\n" spec "\n"

/* A small configuration that validates clean; each case adds to it. */
static const char base_text[] =
	DOC("Block", "persona", "  label: persona\n  value: I help.\n  limit: 100")
	DOC("Tool", "t1", "  sourceType: python\n  sourceCode: 'def t1(): pass'\n"
			  "  jsonSchema: {type: function, function: {name: t1, parameters: {type: object, properties: {}}}}")
	DOC("Template", "tpl", "  default: true\n  agent:\n    name: a\n    blocks: [{name: persona}, {label: notes, value: ''}]\n    tools: [t1, send_message]");
static const char org_text[] =
	DOC("MCPServer", "gh", "  serverType: sse\n  serverUrl: https://x\n  token: ${GH}")
	DOC("Folder", "fold", "  embedding: openai/e\n  files: [docs/*.md]")
	DOC("Identity", "id1", "  identityType: org\n  properties: [{key: k, value: 1, type: number}]");

/* Runs the pipeline with text added to the project layer; returns "sev: msg" lines. */
static char *run(const char *project_text, int with_base)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct desired_state ds = DESIRED_STATE_INIT;
	struct buf b = BUF_INIT;

	if (with_base) {
		manifest_parse(&set, "base/a.yaml", LAYER_BASE, base_text, strlen(base_text));
		manifest_parse(&set, "org/a.yaml", LAYER_ORG, org_text, strlen(org_text));
	}
	manifest_parse(&set, "project/a.yaml", LAYER_PROJECT, project_text, strlen(project_text));
	layers_merge(&ds, &set);
	validate_desired(&ds, &set.diags);
	diag_list_sort(&set.diags);
	for (size_t i = 0; i < set.diags.n; i++) {
		const struct diag *d = &set.diags.items[i];

		buf_addf(&b, "%s%s: %s", i ? "\n" : "", diag_severity_name(d->severity), d->msg);
		if (d->hint)
			buf_addf(&b, " [%s]", d->hint);
	}
	desired_state_release(&ds);
	manifest_set_release(&set);
	return buf_detach(&b);
}

struct vcase {
	const char *rule;
	const char *text; /* added to the project layer */
	const char *want; /* every diagnostic, "sev: msg [hint]" lines */
};

static const struct vcase cases[] = {
	{ "the baseline is clean", "", "" },
	/* Common. */
	{ "metadata unknown field", "---\napiVersion: letta.ai/v1\nkind: Block\nmetadata: {name: b, descripton: x}\nspec: {label: b, value: v}\n",
	  "error: Block.b: unknown field 'metadata.descripton' [did you mean 'description'?]" },
	{ "managed: seed is fine, anything else is not", DOC("Block", "b", "  label: b\n  value: v\n  managed: sometimes"),
	  "error: Block.b: Invalid managed: sometimes [true (git is the truth), seed (created once) or false (never touched)]" },
	{ "managed must be a bool or a string", DOC("Block", "b", "  label: b\n  value: v\n  managed: 1"),
	  "error: Block.b: spec.managed must be true, false or a string" },
	/* Block. */
	{ "block: required fields", DOC("Block", "b", "  limit: 5"),
	  "error: Block.b: Missing required field: spec.label\nerror: Block.b: Missing required field: spec.value" },
	{ "block: unknown field with a suggestion", DOC("Block", "b", "  lable: b\n  label: b\n  value: v"),
	  "error: Block.b: unknown field 'spec.lable' [did you mean 'label'?]" },
	{ "block: value type", DOC("Block", "b", "  label: b\n  value: 12"),
	  "error: Block.b: spec.value must be a string" },
	{ "block: label characters", DOC("Block", "b", "  label: my label\n  value: v"),
	  "error: Block.b: invalid block label 'my label': Letta accepts 1-50 characters of [A-Za-z0-9_/-]" },
	{ "block: label length", DOC("Block", "b", "  label: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n  value: v"),
	  "error: Block.b: invalid block label 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': Letta accepts 1-50 characters of [A-Za-z0-9_/-]" },
	{ "block: duplicate label", DOC("Block", "b", "  label: persona\n  value: v"),
	  "error: Block.b: block label 'persona' is also the label of Block 'persona'" },
	{ "block: isTemplate needs templateName", DOC("Block", "b", "  label: b\n  value: v\n  isTemplate: true"),
	  "error: Block.b: spec.templateName required when isTemplate=true" },
	{ "block: limit positive", DOC("Block", "b", "  label: b\n  value: v\n  limit: 0"),
	  "error: Block.b: spec.limit must be a positive integer" },
	{ "block: value over limit (characters, not bytes)", DOC("Block", "b", "  label: b\n  value: \"\xc3\xa9\xc3\xa9\xc3\xa9\"\n  limit: 2"),
	  "error: Block.b: value is 3 characters, over its limit of 2" },
	{ "block: value within limit", DOC("Block", "b", "  label: b\n  value: \"\xc3\xa9\xc3\xa9\"\n  limit: 2"), "" },
	/* Tool. */
	{ "tool: required fields", DOC("Tool", "t", "  tags: [x]"),
	  "error: Tool.t: Missing required field: spec.sourceType\nerror: Tool.t: Missing required field: spec.jsonSchema\nerror: Tool.t: Missing required field: spec.sourceCode" },
	{ "tool: sourceType enum", DOC("Tool", "t", "  sourceType: pyhton\n  sourceCode: x\n  jsonSchema: {type: function, function: {name: t}}"),
	  "error: Tool.t: Invalid sourceType: pyhton [did you mean 'python'? (one of: python, typescript)]" },
	{ "tool: sourceCode and sourceFile", DOC("Tool", "t", "  sourceType: python\n  sourceCode: x\n  sourceFile: t.py\n  jsonSchema: {type: function, function: {name: t}}"),
	  "error: Tool.t: give spec.sourceCode or spec.sourceFile, not both" },
	{ "tool: empty sourceCode", DOC("Tool", "t", "  sourceType: python\n  sourceCode: ''\n  jsonSchema: {type: function, function: {name: t}}"),
	  "error: Tool.t: spec.sourceCode is empty" },
	{ "tool: schema type", DOC("Tool", "t", "  sourceType: python\n  sourceCode: x\n  jsonSchema: {type: object, function: {name: t}}"),
	  "error: Tool.t: jsonSchema.type must be 'function'" },
	{ "tool: schema name", DOC("Tool", "t", "  sourceType: python\n  sourceCode: x\n  jsonSchema: {type: function, function: {name: u}}"),
	  "error: Tool.t: jsonSchema.function.name must match metadata.name" },
	{ "tool: parameters type", DOC("Tool", "t", "  sourceType: python\n  sourceCode: x\n  jsonSchema: {type: function, function: {name: t, parameters: {type: array}}}"),
	  "error: Tool.t: jsonSchema.function.parameters.type must be 'object'" },
	{ "tool: name over 48 characters", DOC("Tool", "t234567890123456789012345678901234567890123456789", "  sourceType: python\n  sourceCode: x\n  jsonSchema: {type: function, function: {name: t234567890123456789012345678901234567890123456789}}"),
	  "error: Tool.t234567890123456789012345678901234567890123456789: tool name is 49 characters; Letta allows at most 48" },
	{ "tool: name must be a function name", DOC("Tool", "my-tool", "  sourceType: python\n  sourceCode: x\n  jsonSchema: {type: function, function: {name: my-tool}}"),
	  "error: Tool.my-tool: tool name 'my-tool' is not a function name ([A-Za-z_][A-Za-z0-9_]*)" },
	{ "tool: the API creates custom tools only", DOC("Tool", "t", "  sourceType: python\n  sourceCode: x\n  toolType: letta_core\n  jsonSchema: {type: function, function: {name: t}}"),
	  "error: Tool.t: toolType 'letta_core' cannot be created through the Letta API (only custom tools can)" },
	{ "tool: pipRequirements entries", DOC("Tool", "t", "  sourceType: python\n  sourceCode: x\n  pipRequirements: [{version: '1'}]\n  jsonSchema: {type: function, function: {name: t}}"),
	  "error: Tool.t: Missing required field: spec.pipRequirements[0].package" },
	{ "tool: a name key in spec is refused", DOC("Tool", "t", "  name: t\n  sourceType: python\n  sourceCode: x\n  jsonSchema: {type: function, function: {name: t}}"),
	  "error: Tool.t: unknown field 'spec.name'" },
	/* MCPServer. */
	{ "mcp: org layer only", DOC("MCPServer", "m", "  serverType: sse\n  serverUrl: https://x"),
	  "error: MCPServer.m: MCPServer must have layer: org" },
	/* The remaining MCP checks run in the org layer: see test_validate__mcp_rules. */
	/* Template. */
	{ "template: agent required", DOC("Template", "t2", "  description: x"),
	  "error: Template.t2: Missing required field: spec.agent" },
	{ "template: agent.name required", DOC("Template", "t2", "  agent: {description: x}"),
	  "error: Template.t2: Missing required field: spec.agent.name" },
	{ "template: system or instructions", DOC("Template", "t2", "  agent: {name: a, system: x, instructions: y}"),
	  "error: Template.t2: give system or its alias instructions, not both" },
	{ "template: block entry with name and label", DOC("Template", "t2", "  agent: {name: a, blocks: [{name: persona, label: p}]}"),
	  "error: Template.t2: a block entry has name (attach a shared Block) or label and value (a private block), not both" },
	{ "template: block entry with neither", DOC("Template", "t2", "  agent: {name: a, blocks: [{limit: 3}]}"),
	  "error: Template.t2: a block entry needs name (a shared Block) or label and value (a private block)" },
	{ "template: private block needs a value", DOC("Template", "t2", "  agent: {name: a, blocks: [{label: p}]}"),
	  "error: Template.t2: private block 'p' needs a value" },
	{ "template: unknown shared block", DOC("Template", "t2", "  agent: {name: a, blocks: [{name: persona2}]}"),
	  "error: Template.t2: Block 'persona2' is not defined [did you mean 'persona'?]" },
	{ "template: a label twice", DOC("Template", "t2", "  agent: {name: a, blocks: [{name: persona}, {label: persona, value: x}]}"),
	  "error: Template.t2: block label 'persona' appears twice (an agent has one block per label)" },
	{ "template: unknown tool, builtin tools are fine", DOC("Template", "t2", "  agent: {name: a, tools: [send_message, {name: lookup}, web_search]}"),
	  "error: Template.t2: Tool 'lookup' is not defined [declare it with kind: Tool in .letta/manifests/]" },
	{ "template: tool typo", DOC("Template", "t2", "  agent: {name: a, tools: [t11]}"),
	  "error: Template.t2: Tool 't11' is not defined [did you mean 't1'?]" },
	{ "template: tools entries are names or {name}", DOC("Template", "t2", "  agent: {name: a, tools: [3]}"),
	  "error: Template.t2: spec.agent.tools[0] must be a string or a mapping" },
	{ "template: mcpTools", DOC("Template", "t2", "  agent: {name: a, mcpTools: [{server: gh, tools: all}, {server: gx, tools: [a]}, {server: gh, tools: some}]}"),
	  "error: Template.t2: MCPServer 'gx' is not defined [did you mean 'gh'?]\nerror: Template.t2: mcpTools tools must be a list of names or 'all'" },
	{ "template: folders and identities", DOC("Template", "t2", "  agent: {name: a, folders: [fold, {name: nope}], identities: [id1, id2]}"),
	  "error: Template.t2: Folder 'nope' is not defined [declare it with kind: Folder in .letta/manifests/]\nerror: Template.t2: Identity 'id2' is not defined [did you mean 'id1'?]" },
	{ "template: one default only", DOC("Template", "t2", "  default: true\n  agent: {name: a}"),
	  "error: Template.t2: Template 'tpl' already says default: true; only one Template may" },
	{ "template: modelConfig fields", DOC("Template", "t2", "  agent: {name: a, modelConfig: {model: x, contextWindow: big, temperature: 1}}"),
	  "error: Template.t2: spec.agent.modelConfig.contextWindow must be an integer\nerror: Template.t2: unknown field 'spec.agent.modelConfig.temperature'" },
	/* Folder. */
	{ "folder: not in base (here: embedding missing)", DOC("Folder", "f", "  instructions: x"),
	  "error: Folder.f: Missing required field: spec.embeddingConfig.model [or give spec.embedding, a provider/model handle]" },
	{ "folder: files stay in the repository", DOC("Folder", "f", "  embedding: e\n  files: [../x, /etc/passwd, a/../../b, ok/*.md]"),
	  "error: Folder.f: file pattern '../x' leaves the repository\nerror: Folder.f: file pattern '/etc/passwd' leaves the repository\nerror: Folder.f: file pattern 'a/../../b' leaves the repository" },
	/* Identity. */
	{ "identity: type", DOC("Identity", "i", "  identityType: service"),
	  "error: Identity.i: Invalid identityType: service [Letta knows org, user and other: use 'other' for service identities]" },
	{ "identity: no metadata", DOC("Identity", "i", "  lettaMetadata: {a: 1}"),
	  "error: Identity.i: unknown field 'spec.lettaMetadata'\nerror: Identity.i: identities have no metadata in Letta (the API refuses it)" },
	{ "identity: identifierKey unique", DOC("Identity", "i", "  identifierKey: id1"),
	  "error: Identity.i: identifierKey 'id1' is also the key of Identity 'id1'" },
	{ "identity: property needs key and value", DOC("Identity", "i", "  properties: [{type: text}]"),
	  "error: Identity.i: Missing required field: spec.properties[0].key\nerror: Identity.i: Missing required field: spec.properties[0].value\nerror: Identity.i: Invalid type: text [one of: string, number, boolean, json]" },
	/* AgentPolicy. */
	{ "policy: references", DOC("AgentPolicy", "p", "  selector: {matchTags: [x], matchTemplate: tp}\n  blocks: [{name: persona}, nope]\n  tools: [{name: t1, required: false}]"),
	  "error: AgentPolicy.p: Template 'tp' is not defined [did you mean 'tpl'?]\nerror: AgentPolicy.p: Block 'nope' is not defined [declare it with kind: Block in .letta/manifests/]" },
	{ "policy: selector fields", DOC("AgentPolicy", "p", "  selector: {matchTag: [x], matchLabels: {a: 1}}"),
	  "error: AgentPolicy.p: unknown field 'spec.selector.matchTag' [did you mean 'matchTags'?]\nerror: AgentPolicy.p: spec.selector.matchLabels must be a mapping of strings" },
	/* Agent. */
	{ "agent: declared with overrides", DOC("Agent", "bot", "  template: tpl\n  channel: beta\n  tags: [x]\n  system: hi\n  tools: [t1]\n  modelConfig: {model: m}"), "" },
	{ "agent: the default template is used", DOC("Agent", "bot", "  channel: stable"), "" },
	{ "agent: a name like a block label is fine", DOC("Agent", "persona", "  channel: stable"), "" },
	{ "agent: unknown template", DOC("Agent", "bot", "  template: tlp"),
	  "error: Agent.bot: Template 'tlp' is not defined [did you mean 'tpl'?]" },
	{ "agent: channel", DOC("Agent", "bot", "  channel: nightly"),
	  "error: Agent.bot: Invalid channel: nightly [one of: stable, beta, pinned]" },
	{ "agent: unknown override", DOC("Agent", "bot", "  sytem: hi"),
	  "error: Agent.bot: unknown field 'spec.sytem' [did you mean 'system'?]" },
	{ "agent: names are unique", DOC("Agent", "bot", "  name: helper") DOC("Agent", "helper", "  channel: beta"),
	  "error: Agent.helper: agent name 'helper' is also the name of Agent 'bot' (agent names are unique in a project)" },
	{ "agent: override references", DOC("Agent", "bot", "  blocks: [{name: persona}, {name: nope}]"),
	  "error: Agent.bot: Block 'nope' is not defined [declare it with kind: Block in .letta/manifests/]" },
};

static void test_validate__rules_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = run(cases[i].text, 1);

		if (strcmp(got, cases[i].want)) {
			print_error("rule '%s':\n  want %s\n  got  %s\n", cases[i].rule, cases[i].want, got);
			fail();
		}
		free(got);
	}
}

static void test_validate__mcp_rules(void **state)
{
	static const struct vcase mcp[] = {
		{ "stdio needs a command", DOC("MCPServer", "m", "  layer: org\n  serverType: stdio\n  stdioConfig: {args: [x]}"),
		  "error: MCPServer.m: stdioConfig.command required for stdio servers" },
		{ "sse needs a URL", DOC("MCPServer", "m", "  layer: org\n  serverType: streamable_http"),
		  "error: MCPServer.m: serverUrl required for SSE/HTTP servers" },
		{ "server types", DOC("MCPServer", "m", "  layer: org\n  serverType: websocket\n  serverUrl: x"),
		  "error: MCPServer.m: Invalid serverType: websocket [one of: sse, stdio, streamable_http]" },
		{ "literal secrets warn", DOC("MCPServer", "m", "  layer: org\n  serverType: sse\n  serverUrl: x\n  token: abc\n  customHeaders: {X-Key: def, X-Ok: '${K}'}"),
		  "warning: MCPServer.m: a literal secret in a manifest; use a ${ENV_VAR} reference\nwarning: MCPServer.m: a literal secret in a manifest; use a ${ENV_VAR} reference" },
		{ "a stdio server", DOC("MCPServer", "m", "  layer: org\n  serverType: stdio\n  stdioConfig: {command: npx, args: [x], env: {A: '${A}'}}"), "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(mcp) / sizeof(mcp[0]); i++) {
		struct manifest_set set = MANIFEST_SET_INIT;
		struct desired_state ds = DESIRED_STATE_INIT;
		struct buf b = BUF_INIT;

		manifest_parse(&set, "a.yaml", MANIFEST_LAYER_FROM_SPEC, mcp[i].text, strlen(mcp[i].text));
		layers_merge(&ds, &set);
		validate_desired(&ds, &set.diags);
		for (size_t k = 0; k < set.diags.n; k++)
			buf_addf(&b, "%s%s: %s%s%s%s", k ? "\n" : "", diag_severity_name(set.diags.items[k].severity),
				 set.diags.items[k].msg, set.diags.items[k].hint ? " [" : "",
				 set.diags.items[k].hint ? set.diags.items[k].hint : "",
				 set.diags.items[k].hint ? "]" : "");
		if (strcmp(b.buf, mcp[i].want)) {
			print_error("rule '%s':\n  want %s\n  got  %s\n", mcp[i].rule, mcp[i].want, b.buf);
			fail();
		}
		buf_release(&b);
		desired_state_release(&ds);
		manifest_set_release(&set);
	}
}

static void test_validate__folder_not_in_base_and_agent_needs_a_template(void **state)
{
	char *got;

	(void)state;
	got = run(DOC("Agent", "bot", "  layer: project\n  channel: stable")
		  DOC("Template", "x", "  agent: {name: a}") DOC("Template", "y", "  agent: {name: b}"), 0);
	assert_string_equal(got, "error: Agent.bot: no template: set spec.template (no Template says default: true)");
	free(got);
	{
		struct manifest_set set = MANIFEST_SET_INIT;
		struct desired_state ds = DESIRED_STATE_INIT;
		const char *t = DOC("Folder", "f", "  embedding: e");

		manifest_parse(&set, "base/f.yaml", LAYER_BASE, t, strlen(t));
		layers_merge(&ds, &set);
		validate_desired(&ds, &set.diags);
		assert_int_equal(set.diags.n, 1);
		assert_string_equal(set.diags.items[0].msg, "Folder.f: Folder cannot have layer: base");
		desired_state_release(&ds);
		manifest_set_release(&set);
	}
}

static void test_validate__positions_point_at_the_value(void **state)
{
	struct manifest_set set = MANIFEST_SET_INIT;
	struct desired_state ds = DESIRED_STATE_INIT;
	const char *t = "apiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: b\nspec:\n  label: b\n  value: v\n  lable: x\n";

	(void)state;
	manifest_parse(&set, "base/b.yaml", LAYER_BASE, t, strlen(t));
	layers_merge(&ds, &set);
	validate_desired(&ds, &set.diags);
	assert_int_equal(set.diags.n, 1);
	assert_string_equal(set.diags.items[0].file, "base/b.yaml");
	assert_int_equal(set.diags.items[0].line, 8);
	assert_int_equal(set.diags.items[0].col, 3);
	desired_state_release(&ds);
	manifest_set_release(&set);
}

static void test_validate__long_values_are_cut_in_messages(void **state)
{
	struct buf t = BUF_INIT;
	char *got;

	(void)state;
	buf_addstr(&t, "---\napiVersion: letta.ai/v1\nkind: Block\nmetadata:\n  name: b\nspec:\n  value: v\n  label: ");
	for (int i = 0; i < 5000; i++)
		buf_addch(&t, 'x');
	buf_addch(&t, '\n');
	got = run(t.buf, 0);
	assert_true(strlen(got) < DIAG_MSG_MAX + 20);
	assert_non_null(strstr(got, "xxx..."));
	free(got);
	buf_release(&t);
}

static void test_validate__block_label_pattern(void **state)
{
	(void)state;
	assert_true(validate_block_label("a"));
	assert_true(validate_block_label("org/conventions-v2_x"));
	assert_false(validate_block_label(""));
	assert_false(validate_block_label("a.b"));
	assert_false(validate_block_label("\xc3\xa9"));
	assert_true(validate_block_label("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(validate_block_label("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void test_validate__scope_registry(void **state)
{
	static const struct vcase sc[] = {
		{ "a good registry", "scopes:\n  - scope: a\n    match: {path_prefixes: [./]}\n    attach: {block_types: [project], folders: [x]}\n    metadata: {description: d, priority: 1}\n", "" },
		{ "scopes required", "scope: []\n", "error: unknown field 'scope' in the scope registry [did you mean 'scopes'?]\nerror: Missing required field: scopes" },
		{ "entry checks", "scopes:\n  - match: {path_prefixes: []}\n  - scope: b\n    match: {prefixes: [x]}\n  - scope: b\n    match: {path_prefixes: [x, '']}\n    attach: {block_type: [x]}\n",
		  "error: scopes[0]: Missing required field: scope\nerror: match.path_prefixes needs at least one entry\nerror: unknown field 'prefixes' in match\nerror: Missing required field: match.path_prefixes\nerror: duplicate scope 'b'\nerror: match.path_prefixes[1] must be a non-empty string\nerror: unknown field 'block_type' in attach [did you mean 'block_types'?]" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		struct yamlx_docs docs = YAMLX_DOCS_INIT;
		struct ls_error err = LS_ERROR_INIT;
		struct diag_list dl = DIAG_LIST_INIT;
		struct buf b = BUF_INIT;

		assert_int_equal(yamlx_parse(&docs, sc[i].text, strlen(sc[i].text), &err), 0);
		validate_scope_registry(docs.items[0].value, docs.items[0].positions, "s.yaml", &dl);
		for (size_t k = 0; k < dl.n; k++)
			buf_addf(&b, "%s%s: %s%s%s%s", k ? "\n" : "", diag_severity_name(dl.items[k].severity),
				 dl.items[k].msg, dl.items[k].hint ? " [" : "", dl.items[k].hint ? dl.items[k].hint : "",
				 dl.items[k].hint ? "]" : "");
		if (strcmp(b.buf, sc[i].want)) {
			print_error("rule '%s':\n  want %s\n  got  %s\n", sc[i].rule, sc[i].want, b.buf);
			fail();
		}
		buf_release(&b);
		diag_list_release(&dl);
		yamlx_docs_release(&docs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate__rules_table),
		cmocka_unit_test(test_validate__mcp_rules),
		cmocka_unit_test(test_validate__folder_not_in_base_and_agent_needs_a_template),
		cmocka_unit_test(test_validate__positions_point_at_the_value),
		cmocka_unit_test(test_validate__block_label_pattern),
		cmocka_unit_test(test_validate__long_values_are_cut_in_messages),
		cmocka_unit_test(test_validate__scope_registry),
	};

	xalloc_setup_jansson();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
