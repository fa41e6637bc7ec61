/*
 * uservice plugin C ABI, version 1.
 *
 * A plugin is a shared library that exports one function, `uservice_plugin_entry`, returning
 * a pointer to a static `uservice_plugin` descriptor. The host (the uservice executable)
 * owns the logging backend: plugins log through the `uservice_host` callbacks and never
 * pick a logging implementation of their own.
 *
 * Ownership: every pointer the host passes is borrowed for the duration of the call, except
 * `host`, which outlives the plugin. Strings and buffers always come with explicit lengths.
 * A response body is allocated by the plugin and handed back to it through `release`.
 *
 * Threads: `init` runs once, alone, before any other call. `process` (with its `release`) and
 * `health` may then run on several threads at once, and concurrently with each other. `deinit`
 * runs once, alone: the host lets no new call in and waits for the running ones to return
 * first. If calls are still running when the host gives up waiting at exit (a `process` that
 * never returns), `deinit` is not called at all and the host table stays valid.
 * A `process` call that outlasts the host's timeout is answered 504 by the host, but the host
 * cannot stop it: its thread stays with the plugin until it returns.
 */
#ifndef USERVICE_PLUGIN_H
#define USERVICE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define USERVICE_PLUGIN_ABI_VERSION 1u
#define USERVICE_PLUGIN_ENTRY_SYMBOL "uservice_plugin_entry"

/* Log levels, as swift-log orders them. */
typedef enum uservice_log_level {
    USERVICE_LOG_TRACE = 0,
    USERVICE_LOG_DEBUG = 1,
    USERVICE_LOG_INFO = 2,
    USERVICE_LOG_NOTICE = 3,
    USERVICE_LOG_WARNING = 4,
    USERVICE_LOG_ERROR = 5,
    USERVICE_LOG_CRITICAL = 6
} uservice_log_level;

/* What the host offers a plugin. Valid from `init` until after `deinit`. */
typedef struct uservice_host {
    /* USERVICE_PLUGIN_ABI_VERSION of the host. */
    uint32_t abi_version;
    /* Opaque; pass it back to every callback. */
    void *context;
    /* Writes one log line (`length` bytes of UTF-8, no terminator needed) through the host's
       logging backend, labelled with the plugin's name. Safe from any thread. */
    void (*log)(void *context, uservice_log_level level, const char *message, size_t length);
    /* Nonzero when a line at `level` would be written, so a plugin can skip formatting one. */
    int (*log_enabled)(void *context, uservice_log_level level);
} uservice_host;

/* A plugin's answer to one request. The plugin fills it; the host calls `release` after use. */
typedef struct uservice_response {
    /* HTTP status, 200-599 (anything else is answered 502). A 204 or 304 is sent without a body. */
    uint16_t status;
    /* NUL-terminated content type; must stay valid until `release`. NULL means
       application/octet-stream. */
    const char *content_type;
    /* The body, allocated by the plugin (may be NULL when `body_length` is 0). */
    uint8_t *body;
    size_t body_length;
} uservice_response;

/* The plugin's descriptor: static data in the plugin. */
typedef struct uservice_plugin {
    /* USERVICE_PLUGIN_ABI_VERSION the plugin was built against; the host refuses others. */
    uint32_t abi_version;
    /* Name: lower-case letters, digits and '-'. The plugin is served at POST /plugins/NAME. */
    const char *name;
    /* The plugin's own version, for logs. */
    const char *version;
    /* Called once before anything else. Stores the plugin's state in `*state`. Returns 0 on
       success; otherwise an error code, and may point `*error` at a static message. */
    int (*init)(const uservice_host *host, void **state, const char **error);
    /* Answers one request body (borrowed). May run on several threads at once and may block.
       Returns 0, or an error code (the host answers 500). */
    int (*process)(void *state, const uint8_t *request, size_t request_length, uservice_response *response);
    /* Frees what `process` allocated in `response`. */
    void (*release)(void *state, uservice_response *response);
    /* Optional (NULL when absent): returns 1 when healthy, 0 when not, writing a short
       NUL-terminated explanation of at most `capacity` bytes into `message`. */
    int (*health)(void *state, char *message, size_t capacity);
    /* Called once when the host shuts down, after the last `process` and `health` have
       returned (skipped when some never return; see Threads above). */
    void (*deinit)(void *state);
} uservice_plugin;

/* The one symbol a plugin exports. */
typedef const uservice_plugin *(*uservice_plugin_entry_function)(void);

#ifdef __cplusplus
}
#endif

#endif
