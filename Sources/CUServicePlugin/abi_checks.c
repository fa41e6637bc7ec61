/* Compile-time checks of the plugin ABI's layout guarantees. */
#include "uservice_plugin.h"

#include <stddef.h>

/* The host reads abi_version first, before trusting anything else in a descriptor. */
_Static_assert(offsetof(uservice_plugin, abi_version) == 0, "abi_version must be the descriptor's first field");
_Static_assert(offsetof(uservice_host, abi_version) == 0, "abi_version must be the host table's first field");
