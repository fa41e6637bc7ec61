#ifndef USERVICE_CCURL_SHIM_H
#define USERVICE_CCURL_SHIM_H
#include <curl/curl.h>

/* Swift cannot see CURLVERSION_NOW (a macro naming an enum case), so ask for it here. */
static inline const curl_version_info_data *uservice_curl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
   wrapper per argument type. */
static inline CURLcode uservice_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode uservice_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode uservice_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

typedef size_t (*uservice_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode uservice_curl_setopt_write_function(CURL *handle, uservice_curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode uservice_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
