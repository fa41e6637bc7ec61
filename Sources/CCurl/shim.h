#ifndef USERVICE_CCURL_SHIM_H
#define USERVICE_CCURL_SHIM_H
#include <curl/curl.h>
#include <stdbool.h>

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

/* The shape of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks. */
typedef size_t (*uservice_curl_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode uservice_curl_setopt_data_function(
    CURL *handle, CURLoption option, uservice_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode uservice_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* The result of `handle`'s transfer on `multi` once it is done; false while it runs. Reads (and so
   consumes) the multi handle's messages: one transfer at a time runs on it. */
static inline bool uservice_curl_multi_done(CURLM *multi, CURL *handle, CURLcode *result) {
    int queued = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
        if (message->msg == CURLMSG_DONE && message->easy_handle == handle) {
            *result = message->data.result;
            return true;
        }
    }
    return false;
}

#endif
