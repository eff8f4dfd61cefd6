/*
 * letta-sync: keeps Letta agents in line with configuration kept in git. main starts the
 * libraries, finds the command, and maps its result to an exit code.
 */
#include "api/http.h"
#include "cli/cli.h"
#include "cli/exit.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "repo/git.h"
#include "util/buf.h"
#include "util/interrupt.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct opt_spec global_spec[] = {
	CLI_COMMON_OPTS,
	{ "version", 'V', OPT_FLAG, NULL, "print the version" },
	OPT_END
};

static void print_main_help(FILE *f)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "Usage: letta-sync <command> [options]\n\n"
		       "Keeps Letta agents in line with configuration kept in git.\n\nCommands:\n");
	for (unsigned i = 0; i < cli_ncommands; i++)
		buf_addf(&b, "  %-12s %s\n", cli_commands[i].name, cli_commands[i].summary);
	buf_addstr(&b, "\nGlobal options (before or after the command):\n");
	fputs(b.buf, f);
	buf_release(&b);
	if (f == stdout) {
		fflush(stdout);
		opts_print_table(global_spec);
	}
	fputs("\nRun 'letta-sync <command> --help' for a command's options.\n", f);
}

static int takes_value(const char *arg)
{
	static const char *const with_value[] = { "--project", "--org", "--agent", "--channel",
						  "-C", NULL };

	for (int i = 0; with_value[i]; i++)
		if (!strcmp(arg, with_value[i]))
			return 1;
	return 0;
}

static int exit_code(int ret)
{
	switch (ret) {
	case 0:
		return CLI_EXIT_OK;
	case LS_ECHANGES:
		return CLI_EXIT_CHANGES;
	case LS_EUSAGE:
		return CLI_EXIT_USAGE;
	case LS_EINTERRUPTED:
		return CLI_EXIT_INTERRUPTED;
	default:
		return CLI_EXIT_FAILURE;
	}
}

/*
 * Which of libcurl and libgit2 main has initialised (NEED_API, NEED_REPO). Their global set-up
 * (TLS back-ends, random seeds) costs more than the rest of `--version` or `context`, so it is
 * done only for the commands that use the library (docs/performance.md, "start-up").
 */
static unsigned libs_ready;

static int finish(struct cli_ctx *ctx, int ret)
{
	if (ret < 0 && ret != LS_ECHANGES && !ctx->err_reported) {
		if (!ctx->err.code)
			ctx->err.code = (enum ls_code)ret;
		output_error(ctx, &ctx->err);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "error: cannot write to stdout\n");
		ret = ret ? ret : LS_EFAIL;
	}
	target_release(&ctx->target);
	json_decref(ctx->warnings);
	if (libs_ready & NEED_API)
		http_global_cleanup();
	if (libs_ready & NEED_REPO)
		repo_git_shutdown();
	return exit_code(ret);
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx;
	const struct cmd_entry *cmd = NULL;
	int cmd_index = -1;
	char **cargv;
	int cargc = 0, ret;

	memset(&ctx, 0, sizeof(ctx));
#ifdef __GLIBC__
	/*
	 * A run allocates and frees hundreds of thousands of small jansson nodes. Without fastbins
	 * glibc no longer runs malloc_consolidate over them whenever a larger block is asked for,
	 * and a high trim threshold and top pad keep it from giving the heap back to the kernel and
	 * asking again: 4-7 % less CPU on a 5,000-block no-op re-sync (docs/performance.md).
	 */
	mallopt(M_MXFAST, 0);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
#endif
	xalloc_setup_jansson();
	interrupt_install();
	output_set_color(log_use_color(STDOUT_FILENO));

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (argv[i][0] == '-') {
			if (takes_value(argv[i]))
				i++;
			continue;
		}
		cmd_index = i;
		break;
	}
	if (cmd_index < 0) {
		struct opts o;

		ctx.command = "letta-sync";
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
				print_main_help(stdout);
				return finish(&ctx, 0);
			}
		}
		ret = opts_parse(&o, global_spec, argc, argv, &ctx, "letta-sync <command> [options]",
				 NULL, &ctx.err);
		if (ret == 1) {
			opts_release(&o);
			return finish(&ctx, 0);
		}
		if (ret == 0 && opts_count(&o, "version")) {
			printf("%s\n", LS_VERSION);
			opts_release(&o);
			return finish(&ctx, 0);
		}
		opts_release(&o);
		if (ret < 0)
			return finish(&ctx, ret);
		print_main_help(stderr);
		ls_error_set(&ctx.err, LS_EUSAGE, "no command given");
		ctx.err_reported = !ctx.g.json;
		return finish(&ctx, LS_EUSAGE);
	}
	cmd = cli_find_command(argv[cmd_index]);
	ctx.command = argv[cmd_index];
	if (!cmd) {
		const char *names[64];
		const char *guess;

		for (unsigned i = 0; i < cli_ncommands && i < 63; i++)
			names[i] = cli_commands[i].name;
		names[cli_ncommands < 63 ? cli_ncommands : 63] = NULL;
		ls_error_set(&ctx.err, LS_EUSAGE, "unknown command '%s'", argv[cmd_index]);
		guess = cli_suggest(argv[cmd_index], names);
		if (guess)
			ls_error_hint(&ctx.err, "did you mean '%s'?", guess);
		else
			ls_error_hint(&ctx.err, "run 'letta-sync --help' for the list of commands");
		return finish(&ctx, LS_EUSAGE);
	}
	/*
	 * Every command may read git (context reads the origin remote for the registry); only
	 * those that talk to the server need libcurl.
	 */
	repo_git_init();
	libs_ready |= NEED_REPO;
	if (cmd->flags & NEED_API) {
		http_global_init();
		libs_ready |= NEED_API;
	}
	/* The command sees its name first, then every other argument in order. */
	cargv = xcalloc((size_t)argc + 1, sizeof(*cargv));
	cargv[cargc++] = argv[cmd_index];
	for (int i = 1; i < argc; i++)
		if (i != cmd_index)
			cargv[cargc++] = argv[i];
	ret = cmd->fn(cargc, cargv, &ctx);
	free(cargv);
	if (ret == 1) /* --help */
		ret = 0;
	if (ret == 0 && interrupt_requested())
		ret = LS_EINTERRUPTED;
	return finish(&ctx, ret);
}
