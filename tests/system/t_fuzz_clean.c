/* t_fuzz_clean: the fuzzer checks its own cleanup (fuzz --check-clean,
 * tests/fuzz/selfcheck.c). A round's leak check is exact only if the
 * fuzzer's parent takes no page of its own between its two counts,
 * whatever the children left for it to remove; else t_fuzz reports a
 * leak of the harness's as the kernel's. */
#include "test.h"

int main(void)
{
	char *argv[] = {"fuzz", "--check-clean", NULL};

	execv("/bin/fuzz", argv);
	test_report("fuzz-clean-exec", 0, "cannot run /bin/fuzz: %s", strerror(errno));
	return test_done();
}
