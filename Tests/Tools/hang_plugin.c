/* A uservice plugin for hostile_clients.py, served at POST /plugins/hang: a request whose body
   is exactly "hang" never returns (its call holds a thread for good, as a deadlocked plugin
   would); any other body is echoed back. Build: cc -shared -fPIC -I Sources/CUServicePlugin/include */
#include <uservice_plugin.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hang_init(const uservice_host *host, void **state, const char **error) {
    (void)host;
    (void)error;
    *state = NULL;
    return 0;
}

static int hang_process(void *state, const uint8_t *request, size_t length, uservice_response *response) {
    (void)state;
    if (length == 4 && memcmp(request, "hang", 4) == 0) {
        for (;;) sleep(3600); /* a signal only wakes it up to sleep again */
    }
    uint8_t *body = malloc(length > 0 ? length : 1);
    if (body == NULL) return 1;
    if (length > 0) memcpy(body, request, length);
    response->status = 200;
    response->content_type = "application/octet-stream";
    response->body = body;
    response->body_length = length;
    return 0;
}

static void hang_release(void *state, uservice_response *response) {
    (void)state;
    free(response->body);
}

static void hang_deinit(void *state) {
    (void)state;
}

static const uservice_plugin descriptor = {
    .abi_version = USERVICE_PLUGIN_ABI_VERSION,
    .name = "hang",
    .version = "1.0.0",
    .init = hang_init,
    .process = hang_process,
    .release = hang_release,
    .health = NULL,
    .deinit = hang_deinit,
};

const uservice_plugin *uservice_plugin_entry(void) {
    return &descriptor;
}
