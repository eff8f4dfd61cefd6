#ifndef LS_CORE_KINDS_FIELD_H
#define LS_CORE_KINDS_FIELD_H

/*
 * The schema tables' types: for each kind, the fields of spec (and of metadata), with their
 * accepted JSON types, required flags, nested fields and allowed string values. A shared
 * kind's table lives in its kind file (src/core/kinds/<kind>.c); validate_desired() checks
 * manifests against the tables and core/schema.c turns them into a JSON Schema.
 */

/* Accepted JSON types of a field, as a bit set. */
enum ty {
	TY_STR = 1 << 0,
	TY_INT = 1 << 1,
	TY_BOOL = 1 << 2,
	TY_OBJ = 1 << 3,
	TY_ARR = 1 << 4,
	TY_NUM = 1 << 5,
	TY_MAP = 1 << 6, /* an object of strings (labels, headers, env) */
	TY_ANY = 0x7f,
};

enum field_flags { F_REQ = 1 << 0 };

struct field {
	const char *name;
	unsigned type;
	unsigned flags;
	const struct field *fields; /* members of an object, or of object items of an array */
	unsigned item;              /* item types of an array (0: any) */
	const char *const *enums;   /* allowed string values */
};

/* A table ends with a field whose name is NULL. */
#define FIELD_END { NULL, 0, 0, NULL, 0, NULL }

/* "base", "org", "project" (core/kinds/view.c). */
extern const char *const field_layers[];

/* The fields every kind's spec has. */
#define FIELD_COMMON_SPEC \
	{ "managed", TY_BOOL | TY_STR, 0, NULL, 0, NULL }, \
	{ "layer", TY_STR, 0, NULL, 0, field_layers }

#endif
