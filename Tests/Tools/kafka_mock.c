/*
 * A Kafka cluster for the tests: librdkafka's mock cluster, one broker listening on a
 * loopback TCP port, which the agent and kcat reach like any broker.
 *
 *   kafka_mock TOPIC
 *
 * Creates TOPIC with one partition, prints the bootstrap address on one line, then obeys
 * commands on stdin, one per line, answering each with "ok":
 *   down   the broker drops its connections and refuses new ones
 *   up     the broker takes connections again
 *   rtt MS the broker answers every request MS milliseconds late
 * At end of input it shuts the cluster down and exits.
 *
 * Build: cc kafka_mock.c -lrdkafka -o kafka_mock
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TOPIC\n", argv[0]);
        return 2;
    }
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only hosts the mock cluster; it sends nothing itself, and has nothing to log. */
    rd_kafka_conf_set_log_cb(conf, NULL);
    rd_kafka_t *host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!host) {
        fprintf(stderr, "kafka_mock: %s\n", error);
        return 1;
    }
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(host, 1);
    if (!cluster) {
        fprintf(stderr, "kafka_mock: cannot create the mock cluster\n");
        return 1;
    }
    rd_kafka_resp_err_t created = rd_kafka_mock_topic_create(cluster, argv[1], 1, 1);
    if (created != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kafka_mock: topic %s: %s\n", argv[1], rd_kafka_err2str(created));
        return 1;
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    fflush(stdout);

    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        rd_kafka_resp_err_t result;
        if (strcmp(line, "down") == 0) {
            result = rd_kafka_mock_broker_set_down(cluster, 1);
        } else if (strcmp(line, "up") == 0) {
            result = rd_kafka_mock_broker_set_up(cluster, 1);
        } else if (strncmp(line, "rtt ", 4) == 0) {
            result = rd_kafka_mock_broker_set_rtt(cluster, 1, atoi(line + 4));
        } else {
            printf("unknown command: %s\n", line);
            fflush(stdout);
            continue;
        }
        printf("%s\n", result == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : rd_kafka_err2str(result));
        fflush(stdout);
    }
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
    return 0;
}
