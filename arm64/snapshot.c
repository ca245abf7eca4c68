/* arm64 snapshot state owners: "arm64-gic" (the vGICv3 and its ITS, loaded
 * first) and "arm64-vcpu" (one section per vCPU), over the ioctl seam that
 * a64_io_kvm() builds on the VM's vCPU and vGIC device fds. GICv2 VMs are
 * refused before anything is paused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include "arm64/arch.h"
#include "arm64/snapshot.h"

/* ---- the seam over KVM ---- */

static int vcpu_fd(void *ctx, int cpu)
{
	return ((struct vm *)ctx)->vcpus[cpu].fd;
}

static int kvm_reg_list(void *ctx, int cpu, u64 *ids, u32 *n)
{
	struct kvm_reg_list *l;
	int r = 0;

	l = calloc(1, sizeof(*l) + (*n + 1) * sizeof(u64));
	if (!l)
		return -ENOMEM;
	l->n = *n;
	if (ioctl(vcpu_fd(ctx, cpu), KVM_GET_REG_LIST, l) < 0)
		r = -errno;
	if ((!r || r == -E2BIG) && l->n <= 0xffffffffu) {
		if (!r)
			memcpy(ids, l->reg, l->n * sizeof(u64));
		*n = (u32)l->n;
	}
	free(l);
	return r;
}

static int one_reg(void *ctx, int cpu, unsigned long req, u64 id, void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (u64)(unsigned long)val };

	return ioctl(vcpu_fd(ctx, cpu), req, &r) < 0 ? -errno : 0;
}

static int kvm_get_reg(void *ctx, int cpu, u64 id, void *val)
{
	return one_reg(ctx, cpu, KVM_GET_ONE_REG, id, val);
}

static int kvm_set_reg(void *ctx, int cpu, u64 id, const void *val)
{
	return one_reg(ctx, cpu, KVM_SET_ONE_REG, id, (void *)val);
}

static int kvm_get_mp(void *ctx, int cpu, u32 *mp_state)
{
	struct kvm_mp_state mp;

	if (ioctl(vcpu_fd(ctx, cpu), KVM_GET_MP_STATE, &mp) < 0)
		return -errno;
	*mp_state = mp.mp_state;
	return 0;
}

static int kvm_set_mp(void *ctx, int cpu, u32 mp_state)
{
	struct kvm_mp_state mp = { .mp_state = mp_state };

	return ioctl(vcpu_fd(ctx, cpu), KVM_SET_MP_STATE, &mp) < 0 ? -errno : 0;
}

static int kvm_get_events(void *ctx, int cpu, struct kvm_vcpu_events *ev)
{
	return ioctl(vcpu_fd(ctx, cpu), KVM_GET_VCPU_EVENTS, ev) < 0 ?
	       -errno : 0;
}

static int kvm_set_events(void *ctx, int cpu, const struct kvm_vcpu_events *ev)
{
	return ioctl(vcpu_fd(ctx, cpu), KVM_SET_VCPU_EVENTS, ev) < 0 ?
	       -errno : 0;
}

static int kvm_attr(void *ctx, enum a64_attr_op op, enum a64_dev dev,
		    u32 group, u64 attr, void *val)
{
	static const unsigned long req[] = {
		[A64_ATTR_GET] = KVM_GET_DEVICE_ATTR,
		[A64_ATTR_SET] = KVM_SET_DEVICE_ATTR,
	};
	struct gic *g = &arm64_vm(ctx)->gic;
	struct kvm_device_attr a = {
		.group = group, .attr = attr, .addr = (u64)(unsigned long)val,
	};
	int fd = dev == A64_DEV_ITS ? g->its_fd : g->fd;

	if (fd < 0)
		return -ENODEV;
	return ioctl(fd, req[op], &a) < 0 ? -errno : 0;
}

void a64_io_kvm(struct vm *vm, struct a64_io *io)
{
	*io = (struct a64_io){
		.ctx = vm, .reg_list = kvm_reg_list, .get_reg = kvm_get_reg,
		.set_reg = kvm_set_reg, .get_mp = kvm_get_mp,
		.set_mp = kvm_set_mp, .get_events = kvm_get_events,
		.set_events = kvm_set_events, .attr = kvm_attr,
	};
}

/* ---- "arm64-gic" ---- */

static int gic_shape(struct vm *vm, struct a64_io *io,
		     struct a64_gic_shape *sh, char *err, size_t errlen)
{
	a64_io_kvm(vm, io);
	return a64_gic_shape(io, arm64_vm(vm)->gic.type, vm->nr_cpus, sh, err,
			     errlen);
}

static int gic_check(struct vm *vm, char *err, size_t errlen)
{
	return a64_gic_check_type(arm64_vm(vm)->gic.type, err, errlen);
}

static int gic_save(struct vm *vm, struct sbuf *b, char *err, size_t errlen)
{
	struct a64_gic_shape sh;
	struct a64_gic_state st;
	struct a64_io io;
	size_t h;

	if (gic_shape(vm, &io, &sh, err, errlen) ||
	    a64_gic_read(&io, &sh, &st, err, errlen))
		return -1;
	h = snap_sec_begin(b, "arm64-gic", 0, A64_SNAP_VERSION);
	sb_u32(b, sh.type);
	a64_gic_put(b, &st);
	snap_sec_end(b, h);
	a64_gic_state_free(&st);
	return 0;
}

static int gic_load(struct vm *vm, const struct snap_sec *s, char *err,
		    size_t errlen)
{
	struct a64_gic_shape sh;
	struct a64_gic_state st;
	struct a64_io io;
	struct sreader r;
	u32 type;
	int ret;

	sr_init(&r, s->data, s->len);
	type = sr_u32(&r);
	if (r.bad || type >= GIC_NR_TYPES)
		return set_err(err, errlen, "arm64-gic: no valid GIC type");
	if (type != arm64_vm(vm)->gic.type)
		return set_err(err, errlen, "arm64-gic: the snapshot has %s, "
			       "this VM %s", gic_type_names[type],
			       gic_type_names[arm64_vm(vm)->gic.type]);
	if (gic_shape(vm, &io, &sh, err, errlen) ||
	    a64_gic_get(s->data + r.off, s->len - r.off, &sh, &st, err,
			errlen))
		return -1;
	ret = a64_gic_write(&io, &st, err, errlen);
	a64_gic_state_free(&st);
	return ret;
}

SNAP_OWNER(arm64_gic_owner, .type = "arm64-gic", .order = SNAP_ORDER_VM,
	   .version = A64_SNAP_VERSION, .check = gic_check, .save = gic_save,
	   .load = gic_load)

/* ---- "arm64-vcpu" ---- */

static int vcpu_save(struct vm *vm, struct sbuf *b, char *err, size_t errlen)
{
	struct a64_vcpu_state st;
	struct a64_io io;
	size_t h;
	int i;

	a64_io_kvm(vm, &io);
	for (i = 0; i < vm->nr_cpus; i++) {
		if (a64_vcpu_read(&io, i, &st, err, errlen))
			return -1;
		h = snap_sec_begin(b, "arm64-vcpu", i, A64_SNAP_VERSION);
		a64_vcpu_put(b, &st);
		snap_sec_end(b, h);
		a64_vcpu_state_free(&st);
	}
	return 0;
}

static int vcpu_load(struct vm *vm, const struct snap_sec *s, char *err,
		     size_t errlen)
{
	struct a64_vcpu_state st;
	struct a64_io io;
	int ret;

	if (s->inst >= (u32)vm->nr_cpus)
		return set_err(err, errlen, "vcpu%u: saved, but this VM has %d "
			       "vCPUs (restore with the saved --cpus)", s->inst,
			       vm->nr_cpus);
	if (a64_vcpu_get(s->data, s->len, s->inst, &st, err, errlen))
		return -1;
	a64_io_kvm(vm, &io);
	ret = a64_vcpu_write(&io, s->inst, &st, err, errlen);
	a64_vcpu_state_free(&st);
	return ret;
}

SNAP_OWNER(arm64_vcpu_owner, .type = "arm64-vcpu", .order = SNAP_ORDER_VCPU,
	   .version = A64_SNAP_VERSION, .save = vcpu_save, .load = vcpu_load)
