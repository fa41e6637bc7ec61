/* A sample uservice plugin in C: answers POST /plugins/echo with the request body in upper
   case, and logs through the host. */
#include "echo_plugin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct echo_state {
    const uservice_host *host;
} echo_state;

static void echo_log(const echo_state *state, uservice_log_level level, const char *message) {
    if (state->host->log_enabled(state->host->context, level)) {
        state->host->log(state->host->context, level, message, strlen(message));
    }
}

static int echo_init(const uservice_host *host, void **state, const char **error) {
    echo_state *echo = calloc(1, sizeof(echo_state));
    if (echo == NULL) {
        *error = "out of memory";
        return 1;
    }
    echo->host = host;
    *state = echo;
    echo_log(echo, USERVICE_LOG_INFO, "echo plugin ready");
    return 0;
}

static int echo_process(void *state, const uint8_t *request, size_t length, uservice_response *response) {
    uint8_t *body = malloc(length > 0 ? length : 1);
    if (body == NULL) return 1;
    for (size_t i = 0; i < length; i++) body[i] = (uint8_t)toupper(request[i]);
    response->status = 200;
    response->content_type = "text/plain; charset=utf-8";
    response->body = body;
    response->body_length = length;
    echo_log(state, USERVICE_LOG_DEBUG, "echoed a request");
    return 0;
}

static void echo_release(void *state, uservice_response *response) {
    (void)state;
    free(response->body);
}

static int echo_health(void *state, char *message, size_t capacity) {
    (void)state;
    snprintf(message, capacity, "echoing");
    return 1;
}

static void echo_deinit(void *state) {
    echo_log(state, USERVICE_LOG_INFO, "echo plugin stopping");
    free(state);
}

static const uservice_plugin descriptor = {
    .abi_version = USERVICE_PLUGIN_ABI_VERSION,
    .name = "echo",
    .version = "1.0.0",
    .init = echo_init,
    .process = echo_process,
    .release = echo_release,
    .health = echo_health,
    .deinit = echo_deinit,
};

const uservice_plugin *uservice_plugin_entry(void) {
    return &descriptor;
}
