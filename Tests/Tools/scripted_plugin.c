/* A uservice plugin for the tests, scripted by its request body and served at
   POST /plugins/scripted:
     "hang"      never returns (its call holds a thread for good, as a deadlocked plugin would);
     "sleep N"   returns after N milliseconds;
     "status N"  answers with status N;
   and answers with the request body, status 200 unless told otherwise. Its deinit writes
   "scripted deinit" to standard error, so a test can see whether it ran.
   Used by Tests/UServiceCLITests/PluginLimitTests.swift and Tests/Tools/hostile_clients.py.
   Build: cc -shared -fPIC -I Sources/CUServicePlugin/include */
#include <uservice_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int scripted_init(const uservice_host *host, void **state, const char **error) {
    (void)host;
    (void)error;
    *state = NULL;
    return 0;
}

static int scripted_process(void *state, const uint8_t *request, size_t length, uservice_response *response) {
    (void)state;
    char text[64] = {0};
    memcpy(text, request, length < sizeof(text) - 1 ? length : sizeof(text) - 1);
    int value = 0;
    response->status = 200;
    if (length == 4 && memcmp(request, "hang", 4) == 0) {
        for (;;) sleep(3600); /* a signal only wakes it up to sleep again */
    }
    if (sscanf(text, "sleep %d", &value) == 1) usleep((useconds_t)value * 1000);
    if (sscanf(text, "status %d", &value) == 1) response->status = (uint16_t)value;
    uint8_t *body = malloc(length > 0 ? length : 1);
    if (body == NULL) return 1;
    if (length > 0) memcpy(body, request, length);
    response->content_type = "application/octet-stream";
    response->body = body;
    response->body_length = length;
    return 0;
}

static void scripted_release(void *state, uservice_response *response) {
    (void)state;
    free(response->body);
}

static void scripted_deinit(void *state) {
    (void)state;
    fprintf(stderr, "scripted deinit\n");
}

static const uservice_plugin descriptor = {
    .abi_version = USERVICE_PLUGIN_ABI_VERSION,
    .name = "scripted",
    .version = "1.0.0",
    .init = scripted_init,
    .process = scripted_process,
    .release = scripted_release,
    .health = NULL,
    .deinit = scripted_deinit,
};

const uservice_plugin *uservice_plugin_entry(void) {
    return &descriptor;
}
