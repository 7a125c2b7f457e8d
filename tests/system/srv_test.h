/* Request types that only the test server, /bin/srv_crash, knows: the
 * kernel's handling of a server that dies while it holds a request is
 * tested against a server that dies on purpose (see srv_restart.c). Each
 * "stamped" request gets, in its first data byte, how many requests this
 * run of the server has answered before it. */
#ifndef TESTS_SYSTEM_SRV_TEST_H
#define TESTS_SYSTEM_SRV_TEST_H

#define SRV_TEST_STAMP	      0x7e5700 /* answered: stamped, DONE */
#define SRV_TEST_CRASH_ONCE   0x7e5701 /* key byte 0 still 0: set it to 1, crash; else stamp */
#define SRV_TEST_CRASH_ALWAYS 0x7e5702 /* crash */

/* The server exits at start while this file holds a digit above 0,
 * counting it down: a server that keeps dying as soon as it starts. */
#define SRV_TEST_EXITS_FILE "/tmp/srv_crash.exits"

#endif
