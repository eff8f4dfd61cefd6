#ifndef LS_SIM_SERVER_H
#define LS_SIM_SERVER_H

#include <pthread.h>

struct MHD_Daemon;

/* The one lock over g_store, the counters and the fault knobs. */
extern pthread_mutex_t g_lock;

/*
 * Binds 127.0.0.1:port (0 = any free port); *bound_port gets the real one. With cert_pem and
 * key_pem (PEM text), it speaks HTTPS only (MHD over GnuTLS). NULL on failure.
 */
struct MHD_Daemon *server_start(int port, const char *cert_pem, const char *key_pem,
				int *bound_port);
void server_stop(struct MHD_Daemon *d);

#endif
