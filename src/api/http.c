/* HTTP transport over libcurl. */
#include "api/http.h"

#include <curl/curl.h>

void http_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}
