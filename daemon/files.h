/*
 * files.h - small file-system helpers shared by groundsd and the operator's
 * tool.
 */
#ifndef GR_FILES_H
#define GR_FILES_H

/* mkdir -p; directories it creates get mode 0700. */
int gr_files_make_dirs(const char *path);

/* The database file of a data directory, e.g. "DIR/grounds.db". */
void gr_files_database_path(char *out, unsigned long size, const char *data_dir);

#endif
