#ifndef USERVICE_CCURL_SHIM_H
#define USERVICE_CCURL_SHIM_H
#include <curl/curl.h>

/* Swift cannot see CURLVERSION_NOW (a macro naming an enum case), so ask for it here. */
static inline const curl_version_info_data *uservice_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
