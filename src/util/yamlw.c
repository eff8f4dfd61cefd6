/* jansson -> YAML text with libyaml's emitter (see yamlw.h). */
#include "util/yamlw.h"
#include "util/yamlx.h"
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int write_out(void *data, unsigned char *buffer, size_t size)
{
	buf_add(data, buffer, size);
	return 1;
}

/* Whether a plain scalar with this text would be read as something other than a string. */
static int looks_typed(const char *s)
{
	static const char *const words[] = { "~",     "null",  "Null", "NULL", "true", "True",
					     "TRUE",  "false", "False", "FALSE", "yes", "Yes",
					     "YES",   "no",    "No",   "NO",   "on",   "On",
					     "ON",    "off",   "Off",  "OFF",
					     ".inf",  ".nan",  "-.inf", NULL };
	const char *p = s;
	size_t i;

	if (!*s)
		return 1;
	for (i = 0; words[i]; i++)
		if (!strcmp(s, words[i]))
			return 1;
	if (*p == '-' || *p == '+')
		p++;
	/* Anything number-like: digits, a point, an exponent, hex and octal prefixes. */
	if ((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9'))
		return yamlx_only_chars(p, "0123456789abcdefABCDEFxXoO.+-_");
	return 0;
}

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int emit_scalar(yaml_emitter_t *e, const char *tag, const char *text, int quoted,
		       yaml_scalar_style_t style)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)(uintptr_t)tag,
				     (yaml_char_t *)(uintptr_t)text, (int)strlen(text), !quoted, 1,
				     style);
	return emit(e, &ev);
}

static int is_short_scalar(const json_t *v)
{
	if (json_is_string(v))
		return !strchr(json_string_value(v), '\n') && json_string_length(v) < 60;
	return !json_is_object(v) && !json_is_array(v);
}

static int emit_value(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	char num[64];

	if (json_is_object(v)) {
		const char *k;
		json_t *x;

		yaml_mapping_start_event_initialize(&ev, NULL, (yaml_char_t *)YAML_MAP_TAG, 1,
						    YAML_BLOCK_MAPPING_STYLE);
		if (emit(e, &ev) < 0)
			return -1;
		json_object_foreach((json_t *)v, k, x)
		{
			if (emit_scalar(e, NULL, k, looks_typed(k), YAML_ANY_SCALAR_STYLE) < 0 ||
			    emit_value(e, x) < 0)
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return emit(e, &ev);
	}
	if (json_is_array(v)) {
		yaml_sequence_style_t style = YAML_FLOW_SEQUENCE_STYLE;
		size_t i, width = 0;
		json_t *x;

		json_array_foreach(v, i, x)
		{
			if (!is_short_scalar(x))
				style = YAML_BLOCK_SEQUENCE_STYLE;
			width += json_is_string(x) ? json_string_length(x) + 2 : 8;
		}
		if (width > 70)
			style = YAML_BLOCK_SEQUENCE_STYLE;
		yaml_sequence_start_event_initialize(&ev, NULL, (yaml_char_t *)YAML_SEQ_TAG, 1,
						     style);
		if (emit(e, &ev) < 0)
			return -1;
		json_array_foreach(v, i, x)
			if (emit_value(e, x) < 0)
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return emit(e, &ev);
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (strchr(s, '\n'))
			return emit_scalar(e, NULL, s, 1, YAML_LITERAL_SCALAR_STYLE);
		if (looks_typed(s))
			return emit_scalar(e, NULL, s, 1, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
		return emit_scalar(e, NULL, s, 0, YAML_ANY_SCALAR_STYLE);
	}
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit_scalar(e, YAML_INT_TAG, num, 0, YAML_PLAIN_SCALAR_STYLE);
	}
	if (json_is_real(v)) {
		char *txt = json_dumps(v, JSON_ENCODE_ANY);
		int rc;

		if (!txt)
			return -1;
		rc = emit_scalar(e, YAML_FLOAT_TAG, txt, 0, YAML_PLAIN_SCALAR_STYLE);
		free(txt);
		return rc;
	}
	if (json_is_true(v) || json_is_false(v))
		return emit_scalar(e, YAML_BOOL_TAG, json_is_true(v) ? "true" : "false", 0,
				   YAML_PLAIN_SCALAR_STYLE);
	return emit_scalar(e, YAML_NULL_TAG, "null", 0, YAML_PLAIN_SCALAR_STYLE);
}

int yamlw_docs(struct buf *out, json_t *const *docs, size_t n, struct ls_error *err)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	size_t i;
	int rc = 0;

	if (!yaml_emitter_initialize(&e))
		return ls_error_set(err, LS_EINTERNAL, "cannot start the YAML emitter");
	yaml_emitter_set_output(&e, write_out, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_indent(&e, 2);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_break(&e, YAML_LN_BREAK);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	rc = emit(&e, &ev);
	for (i = 0; rc == 0 && i < n; i++) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, i == 0);
		rc = emit(&e, &ev);
		if (rc == 0)
			rc = emit_value(&e, docs[i]);
		if (rc == 0) {
			yaml_document_end_event_initialize(&ev, 1);
			rc = emit(&e, &ev);
		}
	}
	if (rc == 0) {
		yaml_stream_end_event_initialize(&ev);
		rc = emit(&e, &ev);
	}
	if (rc == 0 && !yaml_emitter_flush(&e))
		rc = -1;
	if (rc < 0)
		rc = ls_error_set(err, LS_EINTERNAL, "cannot write YAML: %s",
				  e.problem ? e.problem : "emitter error");
	yaml_emitter_delete(&e);
	return rc;
}
