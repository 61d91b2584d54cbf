/*
 * manifest_fuzz.c - libFuzzer target for what authors write at the top of
 * track files: front matter splitting, step and manifest front matter, and
 * the markdown walk and safe rendering that follow. Built as a fuzzer with
 * -DFUZZ=ON (clang), and always as a replay of the corpus under CTest.
 */
#include "tracks/manifest.h"
#include "tracks/markdown.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_item(const struct gr_markdown_item *item, void *payload)
{
	++*(int *)payload;
	return item->text == NULL && item->url == NULL && item->kind != GR_MARKDOWN_HEADING;
}

static char *keep_url(const char *url, int is_image, int line, void *payload)
{
	return url[0] == '.' ? strdup("/t/x/y") : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct gr_problems problems = { 0 };
	struct gr_step_meta step;
	struct gr_track_meta track;
	struct gr_markdown *doc = NULL;
	size_t yaml_start, yaml_len, body_start;
	int body_line, items = 0;

	if (gr_manifest_front_matter_split(text, size, &yaml_start, &yaml_len, &body_start, &body_line, "f",
				  &problems) == 0) {
		gr_manifest_step_parse(&step, text + yaml_start, yaml_len, 2, "f", &problems);
		gr_manifest_step_clear(&step);
		gr_manifest_track_parse(&track, text + yaml_start, yaml_len, 2, "f", &problems);
		gr_manifest_track_clear(&track);
	}
	if (gr_markdown_parse(&doc, text + body_start, size - body_start) == 0) {
		gr_markdown_visit(doc, count_item, &items);
		free(gr_markdown_render(doc, keep_url, NULL));
		gr_markdown_free(doc);
	}
	gr_manifest_problems_clear(&problems);
	if (size < 64) {
		char estimate[64];

		memcpy(estimate, data, size);
		estimate[size] = '\0';
		gr_manifest_estimate_parse(estimate);
	}
	return 0;
}
