#ifndef LS_API_HTTP_H
#define LS_API_HTTP_H

/* libcurl's global state; main calls these once. */
void http_global_init(void);
void http_global_cleanup(void);

#endif
