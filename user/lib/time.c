/* Time: sleeping, the tick counter, the clock.
 *
 * The kernel sleeps in scheduler ticks of 1/100 s; POSIX's seconds and
 * microseconds are converted, rounding a partial tick up so that a sleep
 * is never shorter than asked. There is no real-time clock: the time of
 * day counts from boot. */
#include <mnemo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "usys.h"

#define TIME_TICKS_PER_SEC 100
#define TIME_USEC_PER_TICK (1000000 / TIME_TICKS_PER_SEC)

/* Returns 0, or the seconds left if the sleep was cut short. */
unsigned sleep(unsigned seconds)
{
	long ret = usys_call1(SYS_sleep, (long)seconds * TIME_TICKS_PER_SEC);

	return usys_result(ret) < 0 ? seconds : 0;
}

int usleep(useconds_t usec)
{
	long ticks = ((long)usec + TIME_USEC_PER_TICK - 1) / TIME_USEC_PER_TICK;

	return usys_result(usys_call1(SYS_sleep, ticks));
}

int uptime(void)
{
	return usys_call0(SYS_uptime);
}

uint64_t mnemo_timebase(void)
{
	static uint64_t hz; /* it never changes: ask once */

	if (!hz)
		hz = usys_call0(SYS_timebase);
	return hz;
}

void mnemo_trap_floor(void)
{
	usys_call0(SYS_trap_floor);
}

void mnemo_switch_floor(void)
{
	usys_call1(SYS_trap_floor, 1);
}

/* Time since boot, from the cycle-accurate rdtime counter. time() and so
 * srand(time(0)) rely on this. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	uint64_t hz = mnemo_timebase();
	uint64_t now = mnemo_rdtime();

	(void)tz;
	if (tv) {
		tv->tv_sec = now / hz;
		tv->tv_usec = (now % hz) * 1000000 / hz;
	}
	return 0;
}

/* picolibc's clock() adds up what this reports, in CLOCKS_PER_SEC units.
 * mnemo keeps no per-process CPU time, so the "user time" is the time
 * since boot: a difference of two clock() values measures elapsed time,
 * which is what programs use clock() for. Returns the same count. */
clock_t times(struct tms *tms)
{
	uint64_t hz = mnemo_timebase();
	uint64_t now = mnemo_rdtime();
	clock_t elapsed = now / hz * CLOCKS_PER_SEC + now % hz * CLOCKS_PER_SEC / hz;

	if (tms)
		*tms = (struct tms){.tms_utime = elapsed};
	return elapsed;
}
