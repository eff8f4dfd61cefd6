#ifndef LS_CORE_SEMVER_H
#define LS_CORE_SEMVER_H

/*
 * Semantic versions of the config repository, from git tags ("v1.2.0", "2.0.0-beta.1").
 * Precedence as semver.org section 11; build metadata is ignored.
 */
struct semver {
	long major, minor, patch;
	char pre[64]; /* "beta.1", "" for a release */
};

/* Parses "1.2.3", "v1.2.3", "1.2.3-rc.1", "v1.2.3+build". Returns 0, or -1 when not semver. */
int semver_parse(struct semver *out, const char *text);
/* <0, 0, >0 like strcmp. */
int semver_cmp(const struct semver *a, const struct semver *b);
/* "1.2.3" or "1.2.3-rc.1" into buf (at least 96 bytes). */
void semver_format(char *buf, unsigned long size, const struct semver *v);
int semver_is_release(const struct semver *v);

#endif
