/*
 * files.c - file-system helpers (see files.h).
 */
#include "core/files.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

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

int gr_files_lock_data_dir(const char *dir, int *out_fd)
{
	char path[PATH_MAX + 32];
	int fd;

	*out_fd = -1;
	snprintf(path, sizeof(path), "%s/groundsd.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		gr_error_set("cannot open %s: %s", path, strerror(errno));
		return GR_ERROR;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		gr_error_set("groundsd is running on %s (it holds %s)", dir, path);
		return GR_EBUSY;
	}
	*out_fd = fd;
	return 0;
}

void gr_files_database_path(char *out, unsigned long size, const char *data_dir)
{
	snprintf(out, size, "%s/grounds.db", data_dir);
}

void gr_files_share_dir(char *out, unsigned long size, const char *name)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	if (strncmp(exe, GR_BUILD_DIR "/", strlen(GR_BUILD_DIR) + 1) == 0)
		snprintf(out, size, "%s/%s", GR_SOURCE_DIR, name);
	else
		snprintf(out, size, "%s/%s", GR_INSTALL_SHARE_DIR, name);
}

const char *gr_files_mime_type(const char *path)
{
	static const struct {
		const char *extension;
		const char *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" },
		{ ".webp", "image/webp" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".md", "text/markdown; charset=utf-8" },
		{ ".pdf", "application/pdf" },
		{ ".zip", "application/zip" },
		{ ".csv", "text/csv; charset=utf-8" },
		{ ".mp4", "video/mp4" },
		{ ".webm", "video/webm" },
		{ ".mp3", "audio/mpeg" },
		{ ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot, types[i].extension) == 0)
			return types[i].type;
	return NULL;
}
