/* A library for LD_PRELOAD that makes a real fault inside the process it is loaded into (issue 26,
 * defect 8: what a crashing reckit does to a pipeline). After FAULT_AFTER_MS milliseconds (default
 * 300) a thread of its own writes through a null pointer (SIGSEGV), or with FAULT_KIND=trap executes
 * ud2 (SIGILL, how Swift's fatalError and failed runtime checks end a process). Used by
 * CrashReportTests.swift and Benchmarks/studies/crash-timing.sh. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *fault(void *arg) {
    (void)arg;
    const char *ms = getenv("FAULT_AFTER_MS");
    const char *kind = getenv("FAULT_KIND");
    usleep((useconds_t)(ms ? atoi(ms) : 300) * 1000);
    if (kind && kind[0] == 't') __builtin_trap();
    *(volatile int *)0 = 1;
    return 0;
}

__attribute__((constructor)) static void start(void) {
    pthread_t t;
    if (pthread_create(&t, 0, fault, 0) == 0) pthread_detach(t);
}
