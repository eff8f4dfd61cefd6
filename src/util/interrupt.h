#ifndef LS_UTIL_INTERRUPT_H
#define LS_UTIL_INTERRUPT_H

/*
 * Ctrl-C only sets a flag: the API layer stops starting requests and aborts transfers from its
 * progress callback; the command reports what was done and exits 130.
 */
void interrupt_install(void);
int interrupt_requested(void);
/* For tests: pretend Ctrl-C was pressed (or clear it). */
void interrupt_set(int on);

#endif
