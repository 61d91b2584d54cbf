/*
 * gitrepo.h - reading (and, for the sample courses and tests, writing) git
 * repositories with libgit2; only gitrepo.c includes git2.h. Reading never
 * touches a working tree: it goes from a ref to a commit to its tree and
 * blobs in the object database, so bare and non-bare repositories are read
 * the same way.
 */
#ifndef GR_GITREPO_H
#define GR_GITREPO_H

#include <stddef.h>

#define GR_GIT_ID_SIZE 41 /* 40 hex digits and a NUL */

struct gr_git;

enum gr_git_entry_kind {
	GR_GIT_FILE,
	GR_GIT_SYMLINK,   /* never followed */
	GR_GIT_SUBMODULE, /* never followed */
};

struct gr_git_entry {
	const char *path; /* relative to the walked directory, '/'-separated */
	enum gr_git_entry_kind kind;
	char id[GR_GIT_ID_SIZE]; /* the blob's id (for files) */
	size_t size;             /* the blob's size (for files) */
};

typedef int gr_git_entry_fn(const struct gr_git_entry *entry, void *payload);

/* Start and stop libgit2 (reference counted; call in pairs). */
int gr_git_init(void);
void gr_git_shutdown(void);

/* Open a repository, bare or not, at path. */
int gr_git_open(struct gr_git **out, const char *path);
void gr_git_free(struct gr_git *git);

/* The commit a ref points to ("" or NULL: HEAD). GR_ENOTFOUND if none. */
int gr_git_resolve(struct gr_git *git, char out_commit[GR_GIT_ID_SIZE], const char *ref);

/*
 * Call fn for every file, symlink and submodule under subdir ("" for the
 * root) of commit's tree, in path order. GR_ENOTFOUND if subdir is not a
 * directory there.
 */
int gr_git_walk(struct gr_git *git, const char *commit, const char *subdir, gr_git_entry_fn *fn,
		void *payload);

/*
 * Find the file at path (relative to the commit's root) and set its blob id
 * and size. GR_ENOTFOUND if there is no regular file there (a directory,
 * symlink or submodule does not count).
 */
int gr_git_find_file(struct gr_git *git, char out_id[GR_GIT_ID_SIZE], size_t *out_size,
		     const char *commit, const char *path);

/*
 * Read a blob into a malloc'd, NUL-terminated buffer. GR_EINVALID if it is
 * larger than max bytes (nothing is read then).
 */
int gr_git_read_blob(struct gr_git *git, char **out, size_t *out_len, const char *id, size_t max);

/*
 * Commit the files of directory dir as the whole tree of a new commit on
 * branch (a child of the branch's tip, if any), creating a bare repository at
 * repo_path first if there is none. Symlinks in dir are skipped.
 */
int gr_git_commit_directory(char out_commit[GR_GIT_ID_SIZE], const char *repo_path,
			    const char *dir, const char *branch, const char *message);

#endif
