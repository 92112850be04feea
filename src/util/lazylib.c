/* lazylib.c — loading the libraries behind the trampolines (lazylib.h). */
#include "util/lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Defined in the generated lazy_trampolines.S. */
extern void *qt_lazy_slots[];
extern char qt_lazy_slots_end[];
extern const int qt_lazy_nsyms;
extern const unsigned char qt_lazy_lib_of[];
extern const char *const qt_lazy_names[];
extern const char *const qt_lazy_libs[];

#define MAX_LIBS 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *handles[MAX_LIBS];

static void slots_protect(int prot)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)qt_lazy_slots & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)qt_lazy_slots_end + page - 1) & ~(uintptr_t)(page - 1);
	if (hi > lo && mprotect((void *)lo, hi - lo, prot) != 0 && prot != PROT_READ) {
		perror("quantumtrack: lazily loaded libraries: mprotect");
		abort();
	}
}

/* The slots hold the stubs' addresses once relocated; from then on they
 * change only in qt_lazy_resolve. */
__attribute__((constructor)) static void slots_seal(void)
{
	slots_protect(PROT_READ);
}

void *qt_lazy_resolve(int index)
{
	pthread_mutex_lock(&lock);
	int lib = qt_lazy_lib_of[index];
	if (lib >= MAX_LIBS) {
		fprintf(stderr, "quantumtrack: lazily loaded libraries: too many\n");
		abort();
	}
	if (!handles[lib]) {
		void *h = dlopen(qt_lazy_libs[lib], RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "quantumtrack: cannot load %s: %s\n", qt_lazy_libs[lib], dlerror());
			abort();
		}
		slots_protect(PROT_READ | PROT_WRITE);
		for (int i = 0; i < qt_lazy_nsyms; i++) {
			if (qt_lazy_lib_of[i] != lib)
				continue;
			void *fn = dlsym(h, qt_lazy_names[i]);
			if (!fn) {
				fprintf(stderr, "quantumtrack: %s has no %s\n", qt_lazy_libs[lib], qt_lazy_names[i]);
				abort();
			}
			__atomic_store_n(&qt_lazy_slots[i], fn, __ATOMIC_RELEASE);
		}
		slots_protect(PROT_READ);
		handles[lib] = h;
	}
	void *fn = qt_lazy_slots[index];
	pthread_mutex_unlock(&lock);
	return fn;
}
