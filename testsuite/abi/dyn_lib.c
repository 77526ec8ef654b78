/*
 * dyn_lib.c — the shared library the dynamic ABI tests dlopen()
 * (testsuite/abi/dyn_main.c). Built twice: for musl and for glibc.
 * Has a constructor, an exported function and thread-local storage, so
 * that loading it exercises relocation, init and dynamic TLS.
 */
__thread int lib_tls = 5;
static int inited;

__attribute__((constructor)) static void lib_init(void) { inited = 42; }

int dyn_add(int a, int b) { return a + b; }
int dyn_inited(void) { return inited; }
int dyn_tls_get(void) { return lib_tls; }
void dyn_tls_set(int v) { lib_tls = v; }
int *dyn_tls_addr(void) { return &lib_tls; }
