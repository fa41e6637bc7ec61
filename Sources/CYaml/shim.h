#ifndef USERVICE_CYAML_SHIM_H
#define USERVICE_CYAML_SHIM_H
#include <yaml.h>
#endif
