/* backend.c - the backend calls the daemon makes, for either transport. */
#include "backend.h"

int ioreq_backend_restrict(struct ioreq_backend *be)
{
	return be->ops->restrict_to_domain(be);
}

void ioreq_backend_close(struct ioreq_backend *be)
{
	if (be)
		be->ops->close(be);
}
