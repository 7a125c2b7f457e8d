/* <ucontext.h>: what a handler installed with SA_SIGINFO gets as its
 * third argument. uc_mcontext.gregs[REG_PC] is the interrupted pc and
 * gregs[i] register xi: a handler may change them, and sigreturn resumes
 * with what it left there. */
#ifndef MNEMO_UCONTEXT_H
#define MNEMO_UCONTEXT_H

#include <signal.h>

typedef struct mnemo_mcontext mcontext_t;
typedef struct mnemo_ucontext ucontext_t;

#define REG_PC 0
#define REG_RA 1
#define REG_SP 2
#define REG_TP 4
#define REG_S0 8
#define REG_A0 10

#endif
