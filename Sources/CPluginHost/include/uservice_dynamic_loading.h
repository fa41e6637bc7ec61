#ifndef USERVICE_DYNAMIC_LOADING_H
#define USERVICE_DYNAMIC_LOADING_H

/* 1 when the running executable has a PT_INTERP program header (it was started by the
   dynamic loader, so shared libraries such as plugins can be loaded), 0 when it has none (a
   fully static executable, static-pie included), -1 when the kernel passed no program headers.
   Reads the headers already in memory (getauxval AT_PHDR/AT_PHNUM), no file. The loader
   rewrites these entries when started by hand (ld.so ./uservice), so that case reads 1 too. */
int uservice_has_program_interpreter(void);

#endif
