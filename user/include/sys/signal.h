/* <sys/signal.h>: the same as <signal.h> (mnemo's, not picolibc's). */
#include <signal.h>
