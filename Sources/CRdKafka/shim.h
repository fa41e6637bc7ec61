// librdkafka for Swift: used only by a build with the Kafka package trait.
#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>

/// RD_KAFKA_PARTITION_UA is a cast expression Swift does not import.
static const int32_t crdkafka_partition_unassigned = RD_KAFKA_PARTITION_UA;

#endif
