/* The interrupt flag: set by a signal handler (Ctrl-C), polled by every long
 * loop (the event loop, Lua code, reading files, the task farms), which then
 * stop with ZZ_INTERRUPTED. On the bottom floor so that every floor can poll
 * it without naming a driver. The public API (zhizao/zhizao.h) declares the
 * same two functions. */
#ifndef ZZ_INTERRUPT_H
#define ZZ_INTERRUPT_H

void zz_request_interrupt(void);
int zz_interrupt_pending(void);

#endif
