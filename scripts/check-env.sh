#!/usr/bin/env bash
# Fails when src/ changes the process environment (issue 22 item 6): settings and the credential
# are passed down as values (cli/context.c), and a child process gets its environment through
# execve's envp, built explicitly (cli/rollout.c), never by setenv before a fork or an exec that
# inherits whatever the process holds.
set -u
. "$(dirname "$0")/lib-check.sh"
flag "src/ must not change the environment (pass the value down; give a child an envp):" \
	"$(grep -RnE '\b(setenv|putenv|unsetenv|clearenv)[[:space:]]*\(' src --include='*.c' --include='*.h' || true)"
# exec and spawn forms that take no envp.
flag "src/ must start a child with execve and an explicit envp:" \
	"$(grep -RnE '\b(execv|execvp|execvpe|execl|execlp|system|popen)[[:space:]]*\(' src --include='*.c' --include='*.h' |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)"
[ $fail -eq 0 ] && echo "env: ok"
exit $fail
