/* SPDX-License-Identifier: BSD-2-Clause */
/* backend.c - the backend calls the daemon makes, for either transport. */
#include "backend.h"

int ioreq_backend_restrict(struct ioreq_backend *be)
{
	return be->ops->restrict_to_domain(be);
}

int ioreq_backend_domain_fd(struct ioreq_backend *be)
{
	return be->ops->domain_fd(be);
}

bool ioreq_backend_domain_alive(struct ioreq_backend *be)
{
	return be->ops->domain_alive(be);
}

int ioreq_backend_set_isa_irq(struct ioreq_backend *be, unsigned irq,
			      bool level)
{
	return be->ops->set_isa_irq(be, irq, level);
}

bool ioreq_backend_hvm(const struct ioreq_backend *be)
{
	return be->hvm;
}

int ioreq_backend_set_pci_intx(struct ioreq_backend *be, uint32_t sbdf,
			       unsigned pin, bool level)
{
	return be->ops->set_pci_intx(be, sbdf, pin, level);
}

int ioreq_backend_inject_msi(struct ioreq_backend *be, uint64_t addr,
			     uint32_t data)
{
	return be->ops->inject_msi(be, addr, data);
}

int ioreq_backend_guest_read(struct ioreq_backend *be, uint64_t gpa, void *buf,
			     size_t len)
{
	return be->ops->guest_read(be, gpa, buf, len);
}

int ioreq_backend_guest_write(struct ioreq_backend *be, uint64_t gpa,
			      const void *buf, size_t len)
{
	return be->ops->guest_write(be, gpa, buf, len);
}

int ioreq_backend_unpause(struct ioreq_backend *be)
{
	return be->ops->unpause(be);
}

int ioreq_backend_publish_console(struct ioreq_backend *be, unsigned n,
				  const char *path)
{
	if (!be->ops->publish_console)
		return 0;
	return be->ops->publish_console(be, n, path);
}

int ioreq_backend_server_id(struct ioreq_backend *be)
{
	return be->ops->server_id(be);
}

int ioreq_backend_destroy_stale(struct ioreq_backend *be, int server_id)
{
	return be->ops->destroy_stale(be, server_id);
}

void ioreq_backend_close(struct ioreq_backend *be)
{
	if (be)
		be->ops->close(be);
}
