#include "uservice_plugin_host.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* The message of the init being guarded; only read by the signal handler. */
static const char *guarded_message;
static size_t guarded_length;

static void crashed_in_init(int signal_number) {
    (void)signal_number;
    if (guarded_message != NULL) {
        ssize_t ignored = write(STDERR_FILENO, guarded_message, guarded_length);
        (void)ignored;
    }
    _exit(1);
}

int uservice_plugin_guarded_init(const uservice_plugin *plugin, const uservice_host *host, void **state,
                                 const char **error, const char *crash_message, size_t length) {
    static const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    enum { count = sizeof(signals) / sizeof(signals[0]) };
    struct sigaction previous[count];
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = crashed_in_init;
    sigemptyset(&action.sa_mask);
    guarded_message = crash_message;
    guarded_length = length;
    for (int i = 0; i < count; i++) sigaction(signals[i], &action, &previous[i]);
    int result = plugin->init(host, state, error);
    for (int i = 0; i < count; i++) sigaction(signals[i], &previous[i], NULL);
    guarded_message = NULL;
    return result;
}
