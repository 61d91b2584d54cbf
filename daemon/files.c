/*
 * files.c - file-system helpers (see files.h).
 */
#include "files.h"

#include "error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int gr_files_make_dirs(const char *path)
{
	char partial[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(partial)) {
		gr_error_set("bad data directory path '%s'", path);
		return GR_EINVALID;
	}
	memcpy(partial, path, len + 1);
	for (char *p = partial + 1;; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(partial, 0700) != 0 && errno != EEXIST) {
			gr_error_set("cannot create %s: %s", partial, strerror(errno));
			return GR_ERROR;
		}
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

void gr_files_database_path(char *out, unsigned long size, const char *data_dir)
{
	snprintf(out, size, "%s/grounds.db", data_dir);
}
