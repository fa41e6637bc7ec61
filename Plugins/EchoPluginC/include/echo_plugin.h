/* The echo sample plugin: its only export is the uservice plugin entry point. */
#ifndef ECHO_PLUGIN_H
#define ECHO_PLUGIN_H

#include <uservice_plugin.h>

const uservice_plugin *uservice_plugin_entry(void);

#endif
