/* The lazy pager (the default): mmap only records the range; each page is
 * filled on its first touch (demand paging), by the fault handler. So the
 * pager has nothing to do at all: no hook is set. A 64 MiB mapping costs
 * nothing until used. */
#include "kernel/mm/internal.h"

const struct pager_ops lazy_pager = {
    .name = "lazy",
};
