/*
 * CPU feature detection and OpenBLAS kernel selection.
 *
 * Debian's OpenBLAS is a DYNAMIC_ARCH build: it picks a kernel family when it loads and reads
 * OPENBLAS_CORETYPE to let a user force one. Its pick is conservative on CPUs newer than itself
 * (0.3.21 gives Zen 5 the AVX2 "Haswell"/"Zen" kernels although its SkylakeX AVX-512 kernels run
 * about twice as fast there; Zen 4 it recognises, as Cooperlake).
 * RecKit therefore re-selects at load time, in every process that links this shim: it reads the
 * features the CPU *and the OS* support (CPUID + XGETBV), picks the highest ISA tier it can run, and
 * switches OpenBLAS through gotoblas_dynamic_quit/gotoblas_dynamic_init. A kernel whose instructions
 * the CPU or OS cannot execute is never selected: that would end the process with SIGILL.
 */
#define _GNU_SOURCE
#include "CReckitShim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define RECKIT_X86 1
#endif

/* Exported by DYNAMIC_ARCH builds of OpenBLAS only; weak so a static-arch build still links. */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));
extern char *openblas_get_corename(void);
extern void openblas_read_env(void) __attribute__((weak));
extern int blas_thread_shutdown_(void) __attribute__((weak));
extern char *openblas_get_config(void);

/* ---------------------------------------------------------------- CPU features */

#ifdef RECKIT_X86
static uint64_t reckit_xgetbv0(void) {
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

uint32_t reckit_cpu_features(void) {
    uint32_t f = 0;
#ifdef RECKIT_X86
    unsigned a, b, c, d, maxLeaf;
    if (!__get_cpuid(0, &maxLeaf, &b, &c, &d)) return 0;
    __cpuid(1, a, b, c, d);
    if (d & (1u << 26)) f |= RECKIT_CPU_SSE2;
    if (c & (1u << 0)) f |= RECKIT_CPU_SSE3;
    if (c & (1u << 9)) f |= RECKIT_CPU_SSSE3;
    if (c & (1u << 19)) f |= RECKIT_CPU_SSE41;
    if (c & (1u << 20)) f |= RECKIT_CPU_SSE42;
    if (c & (1u << 28)) f |= RECKIT_CPU_AVX;
    if (c & (1u << 12)) f |= RECKIT_CPU_FMA;
    int osxsave = (c >> 27) & 1;
    if (osxsave) {
        uint64_t xcr0 = reckit_xgetbv0();
        if ((xcr0 & 0x6) == 0x6) f |= RECKIT_CPU_OS_YMM;
        if ((xcr0 & 0xe6) == 0xe6) f |= RECKIT_CPU_OS_ZMM;
        if ((xcr0 & 0x60000) == 0x60000) f |= RECKIT_CPU_OS_AMX;
    }
    if (maxLeaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (b & (1u << 5)) f |= RECKIT_CPU_AVX2;
        if (b & (1u << 16)) f |= RECKIT_CPU_AVX512F;
        if (b & (1u << 17)) f |= RECKIT_CPU_AVX512DQ;
        if (b & (1u << 28)) f |= RECKIT_CPU_AVX512CD;
        if (b & (1u << 30)) f |= RECKIT_CPU_AVX512BW;
        if (b & (1u << 31)) f |= RECKIT_CPU_AVX512VL;
        if (d & (1u << 22)) f |= RECKIT_CPU_AMXBF16;
        __cpuid_count(7, 1, a, b, c, d);
        if (a & (1u << 5)) f |= RECKIT_CPU_AVX512BF16;
    }
#endif
    return f;
}

void reckit_cpu_brand(char *buf, int len) {
    if (len <= 0) return;
    buf[0] = 0;
#ifdef RECKIT_X86
    unsigned regs[12], maxExt, b, c, d;
    __cpuid(0x80000000, maxExt, b, c, d);
    if (maxExt >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++)
            __cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2], regs[4 * i + 3]);
        char brand[49];
        memcpy(brand, regs, 48);
        brand[48] = 0;
        const char *s = brand;
        while (*s == ' ') s++;
        snprintf(buf, (size_t)len, "%s", s);
    }
#endif
}

const char *reckit_cpu_feature_name(unsigned bit) {
    static const char *names[32] = {
        "sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "avx", "fma", "avx2", "avx512f", "avx512dq", "avx512cd",
        "avx512bw", "avx512vl", "avx512_bf16", "amx_bf16", 0, 0, 0, 0, 0, "os:ymm", "os:zmm", "os:amx"};
    return bit < 32 ? names[bit] : 0;
}

int reckit_keep_freed_memory(long heap_block, long retained) {
#if defined(__GLIBC__)
    if (heap_block <= 0 || heap_block > 0x7fffffffL || retained <= 0 || retained > 0x7fffffffL) return 0;
    return mallopt(M_MMAP_THRESHOLD, (int)heap_block) == 1 && mallopt(M_TRIM_THRESHOLD, (int)retained) == 1;
#else
    (void)heap_block;
    (void)retained;
    return 0;
#endif
}

int reckit_available_cores(void) {
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ---------------------------------------------------------------- kernel table */

#define AVX2_SET (RECKIT_CPU_AVX | RECKIT_CPU_AVX2 | RECKIT_CPU_FMA | RECKIT_CPU_OS_YMM)
#define AVX512_SET (AVX2_SET | RECKIT_CPU_AVX512F | RECKIT_CPU_AVX512DQ | RECKIT_CPU_AVX512CD | \
                    RECKIT_CPU_AVX512BW | RECKIT_CPU_AVX512VL | RECKIT_CPU_OS_ZMM)

/* ---------------------------------------------------------------- the shim's own kernels */

/* The highest variant of sparse.c, als.c and sgd.c this CPU and OS run (cached; every thread
 * computes the same answer, so relaxed atomics suffice), and the calling thread's limit. */
static int native_supported = -1;
static _Thread_local int native_limit = 2;
/* RECKIT_SHIM_KERNEL's level (set once at start-up), and how the level was chosen. */
static int native_requested = 2;
static const char *native_source = "auto";

static int reckit_native_simd_supported(void) {
    int supported = __atomic_load_n(&native_supported, __ATOMIC_RELAXED);
    if (supported < 0) {
#ifdef RECKIT_X86
        uint32_t f = reckit_cpu_features();
        supported = (f & AVX512_SET) == AVX512_SET ? 2 : (f & AVX2_SET) == AVX2_SET ? 1 : 0;
#else
        supported = 0;
#endif
        __atomic_store_n(&native_supported, supported, __ATOMIC_RELAXED);
    }
    return supported;
}

int reckit_native_simd_level(void) {
    int level = reckit_native_simd_supported();
    if (native_requested < level) level = native_requested;
    return native_limit < level ? native_limit : level;
}

const char *reckit_native_simd_source(void) { return native_source; }

int reckit_native_simd_limit(int level) {
    native_limit = level < 0 ? 2 : level;
    return reckit_native_simd_level();
}

typedef struct { const char *name; int tier; uint32_t needs; } reckit_kernel;

/* Order = preference within automatic selection: the first supported kernel of the highest tier. */
static const reckit_kernel kKernels[] = {
    {"SkylakeX", 4, AVX512_SET},
    {"Cooperlake", 4, AVX512_SET | RECKIT_CPU_AVX512BF16},
    {"SapphireRapids", 4, AVX512_SET | RECKIT_CPU_AVX512BF16 | RECKIT_CPU_AMXBF16 | RECKIT_CPU_OS_AMX},
    {"Haswell", 3, AVX2_SET},
    {"Zen", 3, AVX2_SET},
    {"Sandybridge", 2, RECKIT_CPU_AVX | RECKIT_CPU_OS_YMM},
    {"Nehalem", 1, RECKIT_CPU_SSE42 | RECKIT_CPU_SSSE3},
    {"Core2", 0, RECKIT_CPU_SSSE3},
    {"Prescott", 0, RECKIT_CPU_SSE3},
};
#define KERNEL_COUNT ((int)(sizeof(kKernels) / sizeof(kKernels[0])))

int reckit_kernel_count(void) { return KERNEL_COUNT; }
const char *reckit_kernel_name(int i) { return (i >= 0 && i < KERNEL_COUNT) ? kKernels[i].name : NULL; }
int reckit_kernel_tier(int i) { return (i >= 0 && i < KERNEL_COUNT) ? kKernels[i].tier : -1; }
uint32_t reckit_kernel_requirements(int i) { return (i >= 0 && i < KERNEL_COUNT) ? kKernels[i].needs : 0; }

int reckit_kernel_index(const char *name) {
    if (!name) return -1;
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (strcasecmp(name, kKernels[i].name) == 0) return i;
    return -1;
}

int reckit_kernel_supported_by(int i, uint32_t features) {
    if (i < 0 || i >= KERNEL_COUNT) return 0;
    return (features & kKernels[i].needs) == kKernels[i].needs;
}

int reckit_kernel_auto_choice(uint32_t features, const char *openblas_pick) {
    int best = -1;
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (reckit_kernel_supported_by(i, features) && (best < 0 || kKernels[i].tier > kKernels[best].tier))
            best = i;
    int current = reckit_kernel_index(openblas_pick);
    /* Keep OpenBLAS's own pick when it is as good a tier and runnable: its block sizes are tuned
       for the CPU it recognised (e.g. "Zen" on AMD's AVX2 parts). */
    if (current >= 0 && reckit_kernel_supported_by(current, features) &&
        (best < 0 || kKernels[current].tier >= kKernels[best].tier))
        return current;
    return best;
}

/* ---------------------------------------------------------------- OpenBLAS state */

const char *reckit_blas_corename(void) { return openblas_get_corename(); }
const char *reckit_blas_config(void) { return openblas_get_config(); }
int reckit_blas_can_switch(void) { return gotoblas_dynamic_init != NULL && gotoblas_dynamic_quit != NULL; }

static const char *gSource = "auto";
static char gRefusal[1024];
static int gRefused = 0;

/* OpenBLAS takes its settings from environment variables only. RecKit sets one for the moment
   OpenBLAS reads it and then puts back what the user had, so that the user's environment -- and
   what child processes inherit -- is never changed by RecKit. */
typedef struct { const char *name; char *saved; int wasSet; } reckit_env_change;

static reckit_env_change reckit_env_set(const char *name, const char *value) {
    const char *old = getenv(name);
    reckit_env_change c = {name, old ? strdup(old) : NULL, old != NULL};
    setenv(name, value, 1);
    return c;
}

static void reckit_env_restore(reckit_env_change c) {
    if (c.wasSet && c.saved) setenv(c.name, c.saved, 1);
    else unsetenv(c.name);
    free(c.saved);
}

static int reckit_switch_to(const char *name) {
    if (!reckit_blas_can_switch()) return 3;
    if (strcasecmp(openblas_get_corename(), name) == 0) return 0;
    reckit_env_change c = reckit_env_set("OPENBLAS_CORETYPE", name);
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    reckit_env_restore(c);
    return strcasecmp(openblas_get_corename(), name) == 0 ? 0 : 4;
}

int reckit_blas_select_kernel(const char *name) {
    int i = reckit_kernel_index(name);
    if (i < 0) return 1;
    if (!reckit_kernel_supported_by(i, reckit_cpu_features())) return 2;
    int rc = reckit_switch_to(kKernels[i].name);
    if (rc == 0) gSource = "api";
    return rc;
}

const char *reckit_blas_selection_source(void) { return gSource; }
const char *reckit_blas_env_refusal(void) { return gRefused ? gRefusal : NULL; }

static void reckit_refuse(const char *var, const char *value, const char *why) {
    char line[256];
    snprintf(line, sizeof line,
             "RecKit: %s=%s refused: %s; it is ignored "
             "(run `reckit info` to see the kernels this CPU supports).", var, value, why);
    fprintf(stderr, "%s\n", line);
    /* Both overrides can be refused: keep every message, one per line. */
    size_t used = strlen(gRefusal);
    snprintf(gRefusal + used, sizeof gRefusal - used, "%s%s", used ? "\n" : "", line);
    gRefused = 1;
}

/* The selection at start-up, in order of precedence:
   1. RECKIT_BLAS_KERNEL=NAME, when the CPU and OS can run NAME;
   2. OPENBLAS_CORETYPE, which OpenBLAS has already applied when it loaded: kept when the kernel it
      names and the kernel OpenBLAS loaded can both run here;
   3. automatic selection (the highest tier this CPU and OS support).
   An override that cannot be honoured is refused with a message on standard error and the next
   rule applies. */
static void reckit_select_at_startup(void) {
    uint32_t features = reckit_cpu_features();
    const char *requested = getenv("RECKIT_BLAS_KERNEL");
    if (requested && *requested && strcasecmp(requested, "auto") != 0) {
        int i = reckit_kernel_index(requested);
        if (i < 0) {
            reckit_refuse("RECKIT_BLAS_KERNEL", requested, "unknown kernel name");
        } else if (!reckit_kernel_supported_by(i, features)) {
            reckit_refuse("RECKIT_BLAS_KERNEL", requested, "this CPU or OS does not support its instructions");
        } else if (reckit_switch_to(kKernels[i].name) == 0) {
            gSource = "RECKIT_BLAS_KERNEL";
            return;
        } else {
            reckit_refuse("RECKIT_BLAS_KERNEL", requested, "OpenBLAS could not switch to it");
        }
    }
    const char *coretype = getenv("OPENBLAS_CORETYPE");
    const char *pick = openblas_get_corename();
    if (coretype && *coretype) {
        /* OpenBLAS itself falls back quietly when the CPU lacks a kernel's instructions (asked for
           SapphireRapids without AMX, it loads Cooperlake), so compare what was asked for as well
           as what was loaded: a user who named a kernel must not silently get another one. */
        int wanted = reckit_kernel_index(coretype);
        int loaded = reckit_kernel_index(pick);
        if ((wanted < 0 || reckit_kernel_supported_by(wanted, features)) &&
            loaded >= 0 && reckit_kernel_supported_by(loaded, features)) {
            gSource = "OPENBLAS_CORETYPE";
            return; /* the user's explicit OpenBLAS choice, and it is safe */
        }
        reckit_refuse("OPENBLAS_CORETYPE", coretype, "this CPU or OS does not support its instructions");
    }
    int choice = reckit_kernel_auto_choice(features, pick);
    if (choice >= 0) reckit_switch_to(kKernels[choice].name);
}

/*
 * OpenBLAS's idle worker threads spin (sched_yield) for 2^28 cycles -- about 70 ms -- after every
 * threaded call before they sleep. RecKit alternates threaded BLAS calls with its own parallel
 * loops (sparse products, batched solves), and on a machine with few cores the spinning workers
 * take those cores away: a profile of the randomised SVD showed a quarter of the time in
 * sched_yield. Unless the user set OPENBLAS_THREAD_TIMEOUT, RecKit lowers the spin to 2^18 cycles
 * (~70 us) and restarts the thread pool so it takes effect (OpenBLAS recreates the pool on its
 * next threaded call).
 */
static const char *gSpinSetting = "OpenBLAS default";
const char *reckit_blas_spin_setting(void) { return gSpinSetting; }

static void reckit_limit_spinning(void) {
    const char *user = getenv("OPENBLAS_THREAD_TIMEOUT");
    if (user && *user) { gSpinSetting = "OPENBLAS_THREAD_TIMEOUT (user)"; return; }
    if (openblas_read_env == NULL || blas_thread_shutdown_ == NULL) return;
    reckit_env_change c = reckit_env_set("OPENBLAS_THREAD_TIMEOUT", "18");
    openblas_read_env();
    reckit_env_restore(c);
    blas_thread_shutdown_();
    gSpinSetting = "2^18 cycles (RecKit)";
}

/* RECKIT_SHIM_KERNEL=baseline|avx2|avx512|auto: the variant of the shim's own kernels; refused
   (with a message) when unknown or when this CPU and OS cannot run it. */
static void reckit_select_native_at_startup(void) {
    const char *requested = getenv("RECKIT_SHIM_KERNEL");
    if (!requested || !*requested || strcasecmp(requested, "auto") == 0) return;
    static const char *names[] = {"baseline", "avx2", "avx512"};
    for (int level = 0; level < 3; level++) {
        if (strcasecmp(requested, names[level]) != 0) continue;
        if (level > reckit_native_simd_supported()) {
            reckit_refuse("RECKIT_SHIM_KERNEL", requested, "this CPU or OS does not support its instructions");
            return;
        }
        native_requested = level;
        native_source = "RECKIT_SHIM_KERNEL";
        return;
    }
    reckit_refuse("RECKIT_SHIM_KERNEL", requested, "unknown variant (baseline, avx2, avx512 or auto)");
}

static void reckit_initialize_once(void) {
    reckit_select_native_at_startup();
    reckit_select_at_startup();
    reckit_limit_spinning();
}

static pthread_once_t gOnce = PTHREAD_ONCE_INIT;
void reckit_blas_initialize(void) { pthread_once(&gOnce, reckit_initialize_once); }

/* Runs when the process (or a library containing this object) loads, after OpenBLAS's own
   constructor: every program that uses RecKit gets the selection, not only the CLI. */
__attribute__((constructor)) static void reckit_shim_constructor(void) { reckit_blas_initialize(); }
