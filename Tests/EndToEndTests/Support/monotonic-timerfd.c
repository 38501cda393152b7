// Test-only, for SafetyEndToEndTests.testWallClockStepsDoNotStallOrTimeOut.
// Test-only: under libfaketime, keep timers on CLOCK_MONOTONIC/CLOCK_BOOTTIME as the kernel
// keeps them (libfaketime shifts every absolute timerfd deadline by the fake wall offset).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
static int clocks[65536];
int timerfd_create(int clockid, int flags) {
  int fd = (int)syscall(SYS_timerfd_create, clockid, flags);
  if (fd >= 0 && fd < 65536) clocks[fd] = clockid + 1;
  return fd;
}
int timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old_value) {
  if (fd >= 0 && fd < 65536 && clocks[fd] && clocks[fd] - 1 != CLOCK_REALTIME && clocks[fd] - 1 != CLOCK_REALTIME_ALARM)
    return (int)syscall(SYS_timerfd_settime, fd, flags, new_value, old_value);
  int (*next)(int, int, const struct itimerspec *, struct itimerspec *) = dlsym(RTLD_NEXT, "timerfd_settime");
  return next(fd, flags, new_value, old_value);
}
