#ifndef LS_CLI_EXIT_H
#define LS_CLI_EXIT_H

/* Exit codes, documented in docs/exit-codes.md. */
#define CLI_EXIT_OK          0
#define CLI_EXIT_FAILURE     1
#define CLI_EXIT_CHANGES     2   /* changes found, only with --exit-code */
#define CLI_EXIT_USAGE       64  /* EX_USAGE */
#define CLI_EXIT_INTERRUPTED 130 /* Ctrl-C */

#endif
