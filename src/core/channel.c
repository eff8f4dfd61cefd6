/* Channels and version selection (pure). */
#include "core/channel.h"
#include "core/semver.h"

#include <string.h>

int channel_parse(const char *name)
{
	if (!strcmp(name, "stable"))
		return CHANNEL_STABLE;
	if (!strcmp(name, "beta"))
		return CHANNEL_BETA;
	if (!strcmp(name, "pinned"))
		return CHANNEL_PINNED;
	return -1;
}

const char *channel_name(enum channel c)
{
	switch (c) {
	case CHANNEL_BETA:
		return "beta";
	case CHANNEL_PINNED:
		return "pinned";
	case CHANNEL_STABLE:
		break;
	}
	return "stable";
}

enum channel channel_resolve(const char *flag, const char *const *tags, size_t n)
{
	if (flag && channel_parse(flag) >= 0)
		return (enum channel)channel_parse(flag);
	for (size_t i = 0; i < n; i++) {
		if (tags[i] && !strncmp(tags[i], "channel:", 8)) {
			int c = channel_parse(tags[i] + 8);

			return c >= 0 ? (enum channel)c : CHANNEL_STABLE;
		}
	}
	return CHANNEL_STABLE;
}

int version_cmp(const char *a, const char *b)
{
	struct semver sa, sb;
	int oka = a && semver_parse(&sa, a) == 0;
	int okb = b && semver_parse(&sb, b) == 0;

	if (!oka || !okb)
		return oka - okb;
	return semver_cmp(&sa, &sb);
}

int channel_pick(const char **out, const char *const *versions, size_t n, enum channel channel,
		 const char *target, struct ls_error *err)
{
	const char *best = NULL;

	*out = NULL;
	if (target) {
		struct semver want;

		if (semver_parse(&want, target) < 0) {
			ls_error_set(err, LS_EUSAGE, "'%s' is not a version", target);
			ls_error_hint(err, "give a semver such as 2.0.0 or v2.0.0");
			return LS_EUSAGE;
		}
		for (size_t i = 0; i < n; i++) {
			struct semver v;

			if (semver_parse(&v, versions[i]) == 0 && semver_cmp(&v, &want) == 0) {
				*out = versions[i];
				return 0;
			}
		}
		ls_error_set(err, LS_ENOTFOUND, "no version %s in this repository", target);
		if (n)
			ls_error_hint(err, "the newest is %s; list them with 'git tag -l \"v*\"'",
				      versions[n - 1]);
		else
			ls_error_hint(err, "tag a commit: git tag v1.0.0");
		return LS_ENOTFOUND;
	}
	if (channel == CHANNEL_PINNED)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct semver v;

		if (semver_parse(&v, versions[i]) < 0)
			continue;
		if (channel == CHANNEL_STABLE && !semver_is_release(&v))
			continue;
		if (!best || version_cmp(versions[i], best) > 0)
			best = versions[i];
	}
	*out = best;
	return 0;
}
