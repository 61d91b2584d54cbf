/*
 * files.h - small file-system helpers shared by groundsd and the operator's
 * tool.
 */
#ifndef GR_FILES_H
#define GR_FILES_H

/* mkdir -p; directories it creates get mode 0700. */
int gr_files_make_dirs(const char *path);

/*
 * Take the data directory's lock (DIR/groundsd.lock, flock'd exclusively,
 * released when *out_fd is closed or the process ends): groundsd holds it
 * while it runs, so a second daemon, or grounds restore, is refused on the
 * same directory. GR_EBUSY names the directory when another process has it.
 */
int gr_files_lock_data_dir(const char *dir, int *out_fd);

/* The database file of a data directory, e.g. "DIR/grounds.db". */
void gr_files_database_path(char *out, unsigned long size, const char *data_dir);

/*
 * A directory shipped with grounds ("web", "courses"): the source tree's when
 * the running program sits in the build directory, else the installed one.
 */
void gr_files_share_dir(char *out, unsigned long size, const char *name);

/* The Content-Type for a file name by its extension; NULL if not known. */
const char *gr_files_mime_type(const char *path);

#endif
