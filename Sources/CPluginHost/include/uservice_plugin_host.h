#ifndef USERVICE_PLUGIN_HOST_H
#define USERVICE_PLUGIN_HOST_H

#include "uservice_plugin.h"

/* Calls `plugin->init`; if the plugin crashes in it (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
   SIGABRT), writes `crash_message` (`length` bytes) to standard error and exits the process
   with status 1 instead of dumping core or hanging. The handlers are restored afterwards.
   Not reentrant: call it for one plugin at a time. */
int uservice_plugin_guarded_init(const uservice_plugin *plugin, const uservice_host *host, void **state,
                                 const char **error, const char *crash_message, size_t length);

#endif
