#include "engine/interrupt.h"

#include <signal.h>

/* The only mutable file-scope state: a signal handler can reach nothing
 * else. It asks every running replication to stop at its next check. */
static volatile sig_atomic_t interrupt_requested;

void zz_request_interrupt(void) { interrupt_requested = 1; }
int zz_interrupt_pending(void) { return interrupt_requested != 0; }
