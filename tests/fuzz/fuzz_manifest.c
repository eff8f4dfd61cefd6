/*
 * libFuzzer target for the manifest loader: bytes -> manifest_parse (YAML or JSON, by the first
 * byte) -> layers_merge -> validate_desired. Any crash, leak, hang or sanitizer report is a bug.
 * Built only with -DLS_FUZZ=ON and clang; `make fuzz` runs it for longer.
 */
#include "core/layers.h"
#include "core/manifest.h"
#include "core/validate.h"
#include "util/xalloc.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct manifest_set set = MANIFEST_SET_INIT;
	struct desired_state ds = DESIRED_STATE_INIT;
	/* The first byte picks the layer and the format, so both parsers get fuzzed. */
	int sel = size ? data[0] % 8 : 0;
	const char *path = sel == 7 ? "fuzz.json" : "fuzz.yaml";
	int layer = sel < 3 ? sel : (sel == 3 ? MANIFEST_LAYER_FROM_SPEC : LAYER_PROJECT);

	if (!init) {
		xalloc_setup_jansson();
		init = 1;
	}
	if (size)
		manifest_parse(&set, path, layer, (const char *)data + 1, size - 1);
	/* Twice, as two layers, so that the merge rules run on fuzzed input too. */
	if (size > 1)
		manifest_parse(&set, "base/fuzz.yaml", LAYER_BASE, (const char *)data + 1, size - 1);
	layers_merge(&ds, &set);
	validate_desired(&ds, &set.diags);
	diag_list_sort(&set.diags);
	desired_state_release(&ds);
	manifest_set_release(&set);
	return 0;
}
