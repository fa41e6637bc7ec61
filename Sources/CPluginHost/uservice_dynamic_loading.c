#define _GNU_SOURCE
#include "uservice_dynamic_loading.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

int uservice_has_program_interpreter(void) {
    const ElfW(Phdr) *headers = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long count = getauxval(AT_PHNUM);
    if (headers == 0 || count == 0) {
        return -1;
    }
    for (unsigned long index = 0; index < count; index++) {
        if (headers[index].p_type == PT_INTERP) {
            return 1;
        }
    }
    return 0;
}
