#ifndef LS_API_HTTP_H
#define LS_API_HTTP_H

/*
 * HTTP transport over one libcurl multi handle: connection reuse, HTTP/2 when the server
 * offers it over TLS, bounded concurrency, timeouts, retries with backoff, Ctrl-C handling and
 * one clear struct ls_error per failed request. The only code in letta-sync that speaks HTTP;
 * api/letta.c builds Letta requests on top of it.
 *
 * Requests are described by a struct http_req and run in batches by http_run(): the requests
 * of a batch are independent, run concurrently (at most opts.concurrency at a time), and each
 * one reports its own outcome in its output fields, so a plan executor can submit a wave of
 * actions and learn which ones succeeded.
 */

#include "util/buf.h"
#include "util/error.h"

#include <jansson.h>
#include <stddef.h>

/* libcurl's global state; main calls these once. */
void http_global_init(void);
void http_global_cleanup(void);

/*
 * Connection and retry settings. HTTP_OPTS_INIT holds the defaults; http_opts_env() overrides
 * them from LETTA_SYNC_* variables (docs/environment.md). Times are milliseconds.
 */
struct http_opts {
	const char *base_url;     /* "https://api.letta.com", no trailing slash needed */
	const char *api_key;      /* NULL: no Authorization header; never printed */
	const char *project_slug; /* X-Project on the requests that want it, or NULL */
	const char *project_id;   /* X-Project-Id on the requests that want it, or NULL */
	int concurrency;          /* transfers in flight at once (default 8) */
	long connect_timeout_ms;  /* default 10 s */
	long timeout_ms;          /* per attempt, default 60 s */
	int max_retries;          /* retries after the first attempt (default 4) */
	long retry_base_ms;       /* first backoff (default 500 ms), doubled per retry */
	long retry_max_ms;        /* cap of one computed backoff (default 8 s) */
	long retry_total_ms;      /* no retry starts later than this after the first attempt */
	long interrupt_grace_ms;  /* after Ctrl-C, in-flight transfers get this long to finish */
	unsigned long seed;       /* jitter seed; 0 picks one from the clock */
	long max_pages;           /* pages one list may take before it is refused */
	const char *ca_bundle;    /* PEM file of CAs to trust instead of the system's, or NULL */
};

/* A paged list that has not ended after this many pages is a server bug, not a big org. */
#define HTTP_MAX_PAGES_DEFAULT 10000

/* clang-format off */
#define HTTP_OPTS_INIT { NULL, NULL, NULL, NULL, 8, 10000, 60000, 4, 500, 8000, 120000, 3000, 0, \
	HTTP_MAX_PAGES_DEFAULT, NULL }
/* clang-format on */

/*
 * Reads LETTA_SYNC_CONNECT_TIMEOUT and LETTA_SYNC_TIMEOUT (seconds), LETTA_SYNC_CONCURRENCY,
 * LETTA_SYNC_MAX_RETRIES, LETTA_SYNC_RETRY_BASE_MS, LETTA_SYNC_RETRY_MAX_MS,
 * LETTA_SYNC_RETRY_TOTAL_MS, LETTA_SYNC_MAX_PAGES, LETTA_SYNC_TEST_SEED (the jitter seed) and the CA
 * bundle (LETTA_CA_BUNDLE, else CURL_CA_BUNDLE) through lookup (pass getenv; the CLI owns the environment). Fails
 * with LS_EUSAGE naming the variable when a value is not a number in range.
 */
int http_opts_env(struct http_opts *o, char *(*lookup)(const char *name), struct ls_error *err);

/*
 * How a request may be repeated (docs/contract/letta-api.md section 4). The class decides what happens
 * after a failure; the method alone does not (POST /v1/tools/ is an upsert, PUT is not always).
 */
enum http_retry_class {
	/* GET, upserts, PATCH, attach: repeat on connection errors, 408, 429, 5xx, 409+Retry-After. */
	HTTP_RETRY_SAFE = 0,
	/* DELETE and detach: like SAFE, and a 404 after a repeat means the first attempt worked. */
	HTTP_RETRY_REMOVE,
	/*
	 * A create that makes a new object on every call (POST /v1/blocks/, /v1/agents/): never
	 * repeated blindly. After an ambiguous failure (the request was sent but no clear answer came
	 * back) the guard looks for the object; only when it is absent is the create sent again.
	 * Without a guard the failure is reported.
	 */
	HTTP_RETRY_CREATE,
	/*
	 * A create on a unique name (folders, MCP servers, identities): like CREATE, and a 409
	 * without Retry-After asks the guard too, so an object we made earlier is adopted.
	 */
	HTTP_RETRY_CREATE_UNIQUE,
	/* Never repeated once sent (an upload with duplicate_handling=suffix, an unknown POST). */
	HTTP_RETRY_NEVER,
};

enum http_req_flags {
	HTTP_F_PROJECT = 1 << 0,    /* send X-Project: <slug> when a slug is set */
	HTTP_F_PROJECT_ID = 1 << 1, /* send X-Project-Id: <id> when an id is set */
	HTTP_F_PAGED = 1 << 2,      /* a cursor-paged list: follow "after" until an empty page */
	HTTP_F_NO_BODY = 1 << 3,    /* the answer is not JSON (or not needed): keep it raw */
	/*
	 * HTTP_F_PAGED: a page shorter than the limit asked ends the list, without the empty page
	 * after it (docs/contract/letta-api.md section 3: "a short page is usually the end"). Not for
	 * the tools list, which drops malformed rows after applying the limit. A short page of a
	 * multiple of 50 items is not trusted: it may be a server's silent cap, so the next page
	 * is read as before.
	 */
	HTTP_F_SHORT_ENDS = 1 << 4,
};

/* The page size a paged list falls back to when a server refuses a larger limit (400, 422). */
#define HTTP_PAGE_FALLBACK 100

struct http;
struct http_req;

/*
 * Looks for the object a create was meant to make, after an ambiguous failure or a 409 on a
 * unique name. Sets *found to a new reference to the existing object (it becomes the request's
 * result) or NULL when there is none; returns 0, or a negative ls_code when the look-up itself
 * failed. Runs between rounds of http_run(), so it may call http_run() itself.
 */
typedef int (*http_guard_fn)(json_t **found, struct http *h, struct http_req *req,
			     struct ls_error *err);

/*
 * One request and, after http_run(), its outcome. Set it up with http_req_init() (or
 * HTTP_REQ_INIT plus the setters), release it with http_req_release().
 */
struct http_req {
	/* Input. */
	const char *method;          /* static string: "GET", "POST", ... */
	char *path;                  /* owned: "/v1/blocks/?label=x", already escaped */
	json_t *body;                /* owned reference, or NULL */
	char *upload_file;           /* owned: multipart "file" field from this path, or NULL */
	char *upload_name;           /* owned: the file name sent with it, or NULL */
	char *what;                  /* owned: "block 'block-1'", for messages; NULL: the path */
	enum http_retry_class retry;
	unsigned flags;              /* enum http_req_flags */
	long page_limit;             /* HTTP_F_PAGED: the limit= sent with each page */
	http_guard_fn guard;         /* CREATE classes: see http_guard_fn */
	void *guard_ctx;             /* for the guard; freed with guard_ctx_free if set */
	void (*guard_ctx_free)(void *ctx);

	/* Output, valid after http_run(). */
	int ret;                     /* 0 or a negative ls_code */
	struct ls_error err;         /* filled when ret < 0 */
	long status;                 /* last HTTP status, 0 when no answer */
	json_t *json;                /* owned: parsed answer (the whole list when paged), or NULL */
	struct buf raw;              /* the last answer's body as received */
	int attempts;                /* requests sent, all pages included */
	int adopted;                 /* a guard found the object: json is the existing one */
	int gone;                    /* REMOVE: a repeat got 404, counted as done */
	int pages;                   /* HTTP_F_PAGED: pages fetched, the empty one included */

	/* Private to http.c. */
	struct http_req_priv *priv;

	/* Input: with upload_file, more multipart fields {name: string} (owned), or NULL. */
	json_t *upload_fields;
};

/* clang-format off */
#define HTTP_REQ_INIT { NULL, NULL, NULL, NULL, NULL, NULL, HTTP_RETRY_SAFE, 0, 0, NULL, NULL, \
	NULL, 0, LS_ERROR_INIT, 0, NULL, BUF_INIT, 0, 0, 0, 0, NULL, NULL }
/* clang-format on */

/*
 * Sets up req for method and path (copied; must start with "/" and be escaped already, see
 * http_path_escape()). body is borrowed: a new reference is taken. The retry class follows the
 * method (GET/PUT/PATCH: SAFE, DELETE: REMOVE, POST: NEVER) until the caller changes it. Writes
 * are built with letta_req_write() (api/letta.h), the one place that decides, per route, how a
 * write is settled after a failure; this default only covers what bypasses it.
 */
void http_req_init(struct http_req *req, const char *method, const char *path, json_t *body);
/* Same, taking over body's reference (jansson's _new convention). */
void http_req_init_take(struct http_req *req, const char *method, char *path_take,
			json_t *body_take);
__attribute__((format(printf, 2, 3))) void http_req_what(struct http_req *req, const char *fmt,
							  ...);
/* Frees everything the request owns and leaves it as HTTP_REQ_INIT. */
void http_req_release(struct http_req *req);
/* Takes the result (a new reference is not made: the request's json becomes the caller's). */
json_t *http_req_take_json(struct http_req *req);

/* Opens a client. opts is copied (strings included). */
int http_new(struct http **out, const struct http_opts *opts, struct ls_error *err);
void http_free(struct http *h);
const struct http_opts *http_get_opts(const struct http *h);
/* Changes the project headers (after a slug was resolved, or to drop them on self-hosted). */
void http_set_project(struct http *h, const char *slug, const char *id);

/*
 * Called as each request of a top-level http_run() batch finishes (ret and err are set), with
 * its index in the batch; not for the requests guards send. For progress displays.
 */
typedef void (*http_done_fn)(void *ctx, const struct http_req *req, size_t index);
void http_set_on_done(struct http *h, http_done_fn fn, void *ctx);

/*
 * Runs n independent requests concurrently, at most opts.concurrency at a time, with retries.
 * Each request's ret/err/status/json tell its outcome. Returns 0 when all succeeded, otherwise
 * the first failed request's code with its error copied into err. After Ctrl-C no request is
 * started, in-flight ones get the grace period, and the return is LS_EINTERRUPTED with a
 * message counting the completed ones. Not reentrant except from a guard.
 */
int http_run(struct http *h, struct http_req *reqs, size_t n, struct ls_error *err);
/* One request: http_run() of one. */
int http_run1(struct http *h, struct http_req *req, struct ls_error *err);

/*
 * Guards run in passes between rounds of http_run(); this counts the passes. A guard may cache
 * what it listed for the length of one pass (all creates of a batch with the same natural key
 * then share one listing), since nothing is sent while a pass runs except its look-ups.
 */
unsigned long http_guard_pass(const struct http *h);

/* Counters since http_new(), for tests and -v summaries. */
struct http_stats {
	long requests;  /* attempts sent (pages and retries included) */
	long retries;
	long guards;    /* guard look-ups after ambiguous creates or 409s */
	long adopted;
};
void http_get_stats(const struct http *h, struct http_stats *out);

/* ---- Pure helpers, exposed for api/letta.c and unit tests. ---- */

/* Appends s percent-encoded for a path segment or query value (RFC 3986 unreserved kept). */
void http_escape(struct buf *out, const char *s);
/* Appends "?key=value" or "&key=value" to a path, escaping the value; a NULL value is skipped. */
void http_query_add(struct buf *path, const char *key, const char *value);
/* Same with a number. */
void http_query_addl(struct buf *path, const char *key, long value);
/* Removes every "key=..." parameter from a path's query. */
void http_query_del(struct buf *path, const char *key);

/*
 * The server's explanation from an error body (docs/contract/letta-api.md section 2.1): "detail" as a
 * string, array or object, then "message", then "error.message", then the first ~200 bytes of
 * the body, made printable. Empty when the body is empty.
 */
void http_error_detail(struct buf *out, const char *body, size_t len);

/*
 * Milliseconds to wait from Retry-After (delta-seconds or an HTTP date) and retry-after-ms
 * values (either may be NULL); now is the current time in seconds. -1 when neither gives one.
 */
long http_retry_after_ms(const char *retry_after, const char *retry_after_ms, long long now);

/*
 * The backoff before retry number `retry` (1 for the first retry): base * 2^(retry-1) capped at
 * max, minus up to 25 % jitter drawn from u in [0, 1). A server's retry_after_ms (>= 0) wins
 * when it is longer, capped at HTTP_RETRY_AFTER_CAP_MS.
 */
#define HTTP_RETRY_AFTER_CAP_MS 60000L
long http_backoff_ms(long base_ms, long max_ms, int retry, long retry_after_ms, double u);

/* What one attempt produced, for http_retry_decide(). */
struct http_attempt {
	int curl_code;     /* 0 when the server answered */
	int sent;          /* any byte of the request was sent (ambiguous when no answer) */
	long status;       /* HTTP status, 0 without an answer */
	int retry_after;   /* the answer carried Retry-After or retry-after-ms */
	int attempt;       /* 1 for the first attempt */
};

enum http_next {
	HTTP_NEXT_DONE = 0, /* success */
	HTTP_NEXT_GONE,     /* REMOVE: 404 after a repeat, counted as success */
	HTTP_NEXT_RETRY,    /* send it again after a backoff */
	HTTP_NEXT_GUARD,    /* a create's outcome is unknown or clashed: ask the guard */
	HTTP_NEXT_FAIL,     /* report the error */
};

/* The retry policy as a table: what to do after one attempt (attempt limits are the caller's). */
enum http_next http_retry_decide(enum http_retry_class cls, const struct http_attempt *a);

/*
 * The error for a failed answer: code from the status (401/403 LS_EAUTH, 404 LS_ENOTFOUND, 409
 * LS_ECONFLICT, else LS_EAPI), a message naming `what` and the server's detail (always kept), where =
 * "METHOD /path", and a hint. base_url and key_set word the 401. Returns the code.
 */
int http_error_from_status(struct ls_error *err, const char *method, const char *path,
			   const char *what, long status, const char *body, size_t len,
			   const char *base_url, int key_set);

/*
 * For a 404 answered to a request that carried a body (err as http_error_from_status() left
 * it): when the server's detail names neither an id of the path nor just "<Kind> not found", the
 * 404 is about a reference inside the body (an unknown handle, block or tool id), and the message
 * says so, with the detail, instead of calling the object itself missing. Returns 1 when it
 * rewrote err.
 */
int http_error_reference(struct ls_error *err, const char *path, const char *what,
			 const char *body, size_t len);

/*
 * The guard of every pager, cursor or offset (issue 20: a server that always answered
 * hasNextPage: true made every command loop with growing memory). A page is progress only when
 * it brings an item not seen before in this list (by id; a string item by itself; anything else
 * by its canonical JSON); the list is refused once it has taken max_pages pages.
 */
struct http_keyset;
struct http_pager {
	struct http_keyset *seen; /* the key of every item so far */
	long pages;     /* pages taken so far */
	long max_pages; /* 0: HTTP_MAX_PAGES_DEFAULT */
};
/* clang-format off */
#define HTTP_PAGER_INIT { NULL, 0, 0 }
/* clang-format on */
/*
 * Counts one more page of items. Returns 0 when it brought progress (an empty page is the end,
 * not a lack of progress: the caller stops), or LS_EAPI with a message naming `what`, the page
 * and the reason when it brought no new item or the list passed max_pages.
 */
int http_pager_step(struct http_pager *pg, const json_t *items, const char *what,
		    struct ls_error *err);
void http_pager_release(struct http_pager *pg);

/*
 * Cursor paging (docs/contract/letta-api.md section 3): merges one page into *acc (created on the
 * first page) and, when the page was not empty, rewrites path's "after" to the last item's id
 * (or the item itself for string lists). Returns 1 when another page must be fetched, 0 at the
 * empty page, or a negative ls_code when the page is not an array, the server ignored the
 * cursor (the same last item twice), or pg refuses the page (no new item, too many pages).
 */
int http_page_step(json_t **acc, struct buf *path, json_t *page, struct http_pager *pg,
		   struct ls_error *err);
/*
 * Whether a non-empty page of got items, asked with limit= limit, ends its list
 * (HTTP_F_SHORT_ENDS): shorter than the limit, and not a multiple of 50 (a possible cap).
 */
int http_page_ends(size_t got, long limit);

#endif
