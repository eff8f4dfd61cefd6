#!/usr/bin/env bash
# Fails when src/ changes the process environment (issue 22 item 6): settings and the credential
# are passed down as values (cli/context.c), and a child process gets its environment through
# execve's envp, built explicitly (cli/rollout.c), never by setenv before a fork or an exec that
# inherits whatever the process holds.
set -u
root=${1:-.}
cd "$root" || exit 1
fail=0
hits=$(grep -RnE '\b(setenv|putenv|unsetenv|clearenv)[[:space:]]*\(' src --include='*.c' --include='*.h' || true)
if [ -n "$hits" ]; then
	echo "src/ must not change the environment (pass the value down; give a child an envp):"
	echo "$hits"
	fail=1
fi
# exec and spawn forms that take no envp.
hits=$(grep -RnE '\b(execv|execvp|execvpe|execl|execlp|system|popen)[[:space:]]*\(' src --include='*.c' --include='*.h' |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' || true)
if [ -n "$hits" ]; then
	echo "src/ must start a child with execve and an explicit envp:"
	echo "$hits"
	fail=1
fi
[ $fail -eq 0 ] && echo "env: ok"
exit $fail
