#ifndef LS_CORE_TARGET_H
#define LS_CORE_TARGET_H

#include "util/error.h"

#include <stddef.h>

/*
 * Context resolution (docs/contract/PRODUCT.md section 5): which project, org and agent a command targets,
 * the base URL and whether a key is set. Pure: cli/context.c gathers the inputs (flags,
 * environment, file contents, git facts) and target_resolve() decides.
 */
enum target_source {
	TARGET_SRC_NONE = 0,
	TARGET_SRC_CLI,
	TARGET_SRC_ENV,
	TARGET_SRC_LOCAL,
	TARGET_SRC_REGISTRY,
	TARGET_SRC_DEFAULT,
};

struct project_ref {
	char *slug; /* NULL when unknown */
	char *id;   /* NULL when unknown */
	char *name; /* NULL when unknown */
};

struct target_inputs {
	const char *cli_project, *cli_org, *cli_agent;
	/* Environment values, NULL or "" when unset. */
	const char *env_sync_project, *env_letta_project, *env_smarty_project;
	const char *env_sync_org, *env_smarty_org;
	const char *env_sync_agent, *env_smarty_agent;
	const char *env_base_url, *env_api_url;
	const char *env_api_key, *env_server_password;
	/* The nearest .letta/project.json walking up, with its text; NULL when none. */
	const char *local_path, *local_text;
	size_t local_len;
	/* The nearest .letta/registry.json, with its text; NULL when none. */
	const char *registry_path, *registry_text;
	size_t registry_len;
	/* The repository's origin remote URL and current branch; NULL when unknown. */
	const char *remote_url, *branch;
};

struct target {
	struct project_ref project;
	enum target_source project_source;
	char *project_from;           /* "--project", "LETTA_SYNC_PROJECT", a file path, ... */
	enum target_source tried[6];  /* the sources tried, in order, for -v */
	int ntried;
	char *repo_key;               /* "org/repo" from the origin remote, or NULL */
	char *mapping_key;            /* the registry mapping that matched, or NULL */
	char *branch_pattern;         /* the branch override that matched, or NULL */

	char *org;
	const char *org_from;         /* "--org", "LETTA_SYNC_ORG", "SMARTY_ORG" or NULL */
	char *agent;
	const char *agent_from;

	char *base_url;
	const char *base_url_from;    /* "LETTA_BASE_URL", "LETTA_API_URL" or "default" */
	int cloud;                    /* the base URL is Letta Cloud */
	int key_set;                  /* LETTA_API_KEY is set (its value is never kept here) */
	int password_set;             /* LETTA_SERVER_PASSWORD is set */
};

#define TARGET_DEFAULT_BASE_URL "https://api.letta.com"

/* Fills out; on a malformed project.json or registry.json fails with LS_EINVALID and path:line:col. */
int target_resolve(struct target *out, const struct target_inputs *in, struct ls_error *err);
void target_release(struct target *t);

/*
 * docs/contract/PRODUCT.md section 5: Letta Cloud needs a key. Fails with LS_EAUTH naming
 * LETTA_API_KEY and the base URL when t is Letta Cloud and neither LETTA_API_KEY nor
 * LETTA_SERVER_PASSWORD is set; 0 otherwise. The CLI checks it before any request.
 */
int target_check_key(const struct target *t, struct ls_error *err);

/* "cli", "env", "local", "registry", "default" or "none". */
const char *target_source_name(enum target_source s);

/*
 * Splits a project identifier: "slug", an id (a UUID, "proj_..." or "project-...") or
 * "slug:id". Fills out (strings are xmalloc'd); fails on an empty part.
 */
int project_ref_parse(struct project_ref *out, const char *text, struct ls_error *err);
void project_ref_release(struct project_ref *p);
int project_ref_is_id(const char *s);
/* "<name> (<slug or id>)", else slug, else id: the form the -v lines print. */
char *project_ref_format(const struct project_ref *p);

/*
 * "org/repo" from a remote URL: https://host/org/repo(.git), ssh://git@host[:port]/org/repo,
 * git@host:org/repo(.git). Lower-cased. NULL when the URL has no owner/repo path.
 */
char *target_repo_key(const char *url);

#endif
