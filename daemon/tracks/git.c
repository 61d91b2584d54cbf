/*
 * gitrepo.c - the libgit2 wrapper (see gitrepo.h; design: "Tracks" in
 * DESIGN.md). Track repositories are untrusted: the walk reports symlinks
 * and submodules instead of following them, and a blob's size is read from
 * its header before the blob itself, so an oversized file is never loaded.
 */
#include "tracks/git.h"

#include "core/error.h"

#include <dirent.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct gr_git {
	git_repository *repo;
	git_odb *odb;
};

static int fail(const char *doing)
{
	const git_error *error = git_error_last();

	gr_error_set("%s: %s", doing, error && error->message ? error->message : "git error");
	return GR_ERROR;
}

int gr_git_init(void)
{
	if (git_libgit2_init() < 0)
		return fail("starting libgit2");
	return 0;
}

void gr_git_shutdown(void)
{
	git_libgit2_shutdown();
}

int gr_git_open(struct gr_git **out, const char *path)
{
	struct gr_git *git = calloc(1, sizeof(*git));

	*out = NULL;
	if (!git) {
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	if (git_repository_open_ext(&git->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		char message[PATH_MAX + 32];

		snprintf(message, sizeof(message), "cannot open git repository %s", path);
		free(git);
		fail(message);
		return GR_ENOTFOUND;
	}
	if (git_repository_odb(&git->odb, git->repo) != 0) {
		gr_git_free(git);
		return fail("opening the object database");
	}
	*out = git;
	return 0;
}

void gr_git_free(struct gr_git *git)
{
	if (!git)
		return;
	git_odb_free(git->odb);
	git_repository_free(git->repo);
	free(git);
}

int gr_git_resolve(struct gr_git *git, char out_commit[GR_GIT_ID_SIZE], const char *ref)
{
	git_object *object = NULL;
	char spec[512];
	int rc;

	snprintf(spec, sizeof(spec), "%s^{commit}", ref && ref[0] ? ref : "HEAD");
	rc = git_revparse_single(&object, git->repo, spec);
	if (rc != 0) {
		gr_error_set("no commit for ref '%s'", ref && ref[0] ? ref : "HEAD");
		return GR_ENOTFOUND;
	}
	git_oid_tostr(out_commit, GR_GIT_ID_SIZE, git_object_id(object));
	git_object_free(object);
	return 0;
}

/* The tree of commit, or of subdir inside it. */
static int lookup_tree(git_tree **out, struct gr_git *git, const char *commit_id,
		       const char *subdir)
{
	git_commit *commit = NULL;
	git_tree_entry *entry = NULL;
	git_tree *root = NULL;
	git_oid oid;
	int rc = GR_ERROR;

	*out = NULL;
	if (git_oid_fromstr(&oid, commit_id) != 0 || git_commit_lookup(&commit, git->repo, &oid) != 0) {
		gr_error_set("no commit %s", commit_id);
		return GR_ENOTFOUND;
	}
	if (git_commit_tree(&root, commit) != 0) {
		rc = fail("reading the commit's tree");
		goto out;
	}
	if (!subdir || !subdir[0]) {
		*out = root;
		root = NULL;
		rc = 0;
		goto out;
	}
	if (git_tree_entry_bypath(&entry, root, subdir) != 0 ||
	    git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
		gr_error_set("no directory '%s' in commit %.12s", subdir, commit_id);
		rc = GR_ENOTFOUND;
		goto out;
	}
	rc = git_tree_lookup(out, git->repo, git_tree_entry_id(entry)) == 0 ? 0
									    : fail("reading a tree");
out:
	git_tree_entry_free(entry);
	git_tree_free(root);
	git_commit_free(commit);
	return rc;
}

struct walk {
	struct gr_git *git;
	gr_git_entry_fn *fn;
	void *payload;
	int rc;
};

static int walk_entry(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walk *walk = payload;
	struct gr_git_entry item = { 0 };
	char path[PATH_MAX];
	git_object_t type;

	switch (git_tree_entry_filemode(entry)) {
	case GIT_FILEMODE_TREE:
		return 0;
	case GIT_FILEMODE_LINK:
		item.kind = GR_GIT_SYMLINK;
		break;
	case GIT_FILEMODE_COMMIT:
		item.kind = GR_GIT_SUBMODULE;
		break;
	default:
		item.kind = GR_GIT_FILE;
		if (git_odb_read_header(&item.size, &type, walk->git->odb, git_tree_entry_id(entry))) {
			walk->rc = fail("reading a blob header");
			return -1;
		}
		break;
	}
	snprintf(path, sizeof(path), "%s%s", root, git_tree_entry_name(entry));
	item.path = path;
	git_oid_tostr(item.id, sizeof(item.id), git_tree_entry_id(entry));
	if ((walk->rc = walk->fn(&item, walk->payload)) != 0)
		return -1;
	return 0;
}

int gr_git_walk(struct gr_git *git, const char *commit, const char *subdir, gr_git_entry_fn *fn,
		void *payload)
{
	struct walk walk = { git, fn, payload, 0 };
	git_tree *tree = NULL;
	int rc = lookup_tree(&tree, git, commit, subdir);

	if (rc)
		return rc;
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, walk_entry, &walk) != 0 && walk.rc == 0)
		walk.rc = fail("walking a tree");
	git_tree_free(tree);
	return walk.rc;
}

int gr_git_find_file(struct gr_git *git, char out_id[GR_GIT_ID_SIZE], size_t *out_size,
		     const char *commit, const char *path)
{
	git_tree_entry *entry = NULL;
	git_tree *root = NULL;
	git_filemode_t mode;
	git_object_t type;
	int rc = lookup_tree(&root, git, commit, NULL);

	if (rc)
		return rc;
	rc = GR_ENOTFOUND;
	if (git_tree_entry_bypath(&entry, root, path) == 0) {
		mode = git_tree_entry_filemode(entry);
		if ((mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
		    git_odb_read_header(out_size, &type, git->odb, git_tree_entry_id(entry)) == 0) {
			git_oid_tostr(out_id, GR_GIT_ID_SIZE, git_tree_entry_id(entry));
			rc = 0;
		}
	}
	if (rc)
		gr_error_set("no file '%s' in commit %.12s", path, commit);
	git_tree_entry_free(entry);
	git_tree_free(root);
	return rc;
}

int gr_git_read_blob(struct gr_git *git, char **out, size_t *out_len, const char *id, size_t max)
{
	git_odb_object *object = NULL;
	git_object_t type;
	size_t size;
	git_oid oid;

	*out = NULL;
	*out_len = 0;
	if (git_oid_fromstr(&oid, id) != 0 || git_odb_read_header(&size, &type, git->odb, &oid) != 0 ||
	    type != GIT_OBJECT_BLOB) {
		gr_error_set("no blob %s", id);
		return GR_ENOTFOUND;
	}
	if (size > max) {
		gr_error_set("file is %zu bytes, over the limit of %zu", size, max);
		return GR_EINVALID;
	}
	if (git_odb_read(&object, git->odb, &oid) != 0)
		return fail("reading a blob");
	*out = malloc(size + 1);
	if (!*out) {
		git_odb_object_free(object);
		gr_error_set("out of memory");
		return GR_ERROR;
	}
	memcpy(*out, git_odb_object_data(object), size);
	(*out)[size] = '\0';
	*out_len = size;
	git_odb_object_free(object);
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Build a tree object from directory dir; out is the new tree's id. */
static int write_tree(git_oid *out, git_repository *repo, const char *dir)
{
	git_treebuilder *builder = NULL;
	struct dirent **names = NULL;
	int count = scandir(dir, &names, NULL, compare_names);
	int rc = 0;

	if (count < 0) {
		gr_error_set("cannot read directory %s", dir);
		return GR_ERROR;
	}
	if (git_treebuilder_new(&builder, repo, NULL) != 0)
		rc = fail("making a tree");
	for (int i = 0; i < count && rc == 0; i++) {
		char path[PATH_MAX];
		struct stat st;
		git_oid id;

		if (names[i]->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode))
			rc = write_tree(&id, repo, path);
		else if (git_blob_create_from_disk(&id, repo, path) != 0)
			rc = fail(path);
		if (rc == 0 && git_treebuilder_insert(NULL, builder, names[i]->d_name, &id,
						      S_ISDIR(st.st_mode) ? GIT_FILEMODE_TREE
									  : GIT_FILEMODE_BLOB) != 0)
			rc = fail(path);
	}
	if (rc == 0 && git_treebuilder_write(out, builder) != 0)
		rc = fail("writing a tree");
	for (int i = 0; i < count; i++)
		free(names[i]);
	free(names);
	git_treebuilder_free(builder);
	return rc;
}

int gr_git_commit_directory(char out_commit[GR_GIT_ID_SIZE], const char *repo_path,
			    const char *dir, const char *branch, const char *message)
{
	git_repository *repo = NULL;
	git_signature *signature = NULL;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_oid tree_id, commit_id, parent_id;
	char ref[256];
	int rc = GR_ERROR;

	snprintf(ref, sizeof(ref), "refs/heads/%s", branch);
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0 &&
	    git_repository_init(&repo, repo_path, 1) != 0)
		return fail(repo_path);
	if ((rc = write_tree(&tree_id, repo, dir)) != 0)
		goto out;
	rc = GR_ERROR;
	if (git_tree_lookup(&tree, repo, &tree_id) != 0 ||
	    git_signature_now(&signature, "grounds", "grounds@localhost") != 0)
		goto fail;
	if (git_reference_name_to_id(&parent_id, repo, ref) == 0 &&
	    git_commit_lookup(&parent, repo, &parent_id) != 0)
		goto fail;
	if (git_commit_create_v(&commit_id, repo, ref, signature, signature, NULL, message, tree,
				parent ? 1 : 0, parent) != 0 ||
	    git_repository_set_head(repo, ref) != 0)
		goto fail;
	git_oid_tostr(out_commit, GR_GIT_ID_SIZE, &commit_id);
	rc = 0;
	goto out;
fail:
	rc = fail("committing a directory");
out:
	git_commit_free(parent);
	git_tree_free(tree);
	git_signature_free(signature);
	git_repository_free(repo);
	return rc;
}
