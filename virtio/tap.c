/* The host side of virtio-net mode=tap: creates or attaches a tap device
 * through /dev/net/tun with a 12-byte virtio-net header, non-blocking, and
 * brings it up; TUNSETOFFLOAD for the negotiated offloads. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include "virtio/net.h"

#define TUN_DEV		"/dev/net/tun"
#define CAP_HINT	"creating or attaching a tap device needs CAP_NET_ADMIN " \
			"(run lkvm as root, or pre-create the tap with `ip tuntap " \
			"add <name> mode tap user <you>` and pass tapif=<name>)"

static void open_error(void)
{
	int e = errno;

	if (e == ENOENT || e == ENODEV || e == ENXIO)
		pr_err("cannot open %s: %s: the tun module is not loaded or the "
		       "device node is missing (modprobe tun); %s", TUN_DEV,
		       strerror(e), CAP_HINT);
	else if (e == EACCES || e == EPERM)
		pr_err("cannot open %s: %s: %s", TUN_DEV, strerror(e), CAP_HINT);
	else
		pr_err("cannot open %s: %s", TUN_DEV, strerror(e));
}

static void setiff_error(const char *name)
{
	int e = errno;
	const char *what = *name ? name : "(any name)";

	if (e == EPERM || e == EACCES)
		pr_err("cannot create tap '%s': %s: %s", what, strerror(e),
		       CAP_HINT);
	else if (e == EBUSY)
		pr_err("cannot attach tap '%s': it is in use by another "
		       "process (another lkvm?)", what);
	else if (e == EINVAL)
		pr_err("cannot create tap '%s': %s (is '%s' an existing "
		       "interface that is not a tap, or a tap without "
		       "vnet_hdr?)", what, strerror(e), what);
	else
		pr_err("cannot create tap '%s': TUNSETIFF: %s", what,
		       strerror(e));
}

/* Sets IFF_UP unless already up; a failure only warns (the user may
 * bring it up). */
static void tap_up(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		goto warn;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, IFNAMSIZ);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto warn;
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			goto warn;
	}
	close(s);
	return;
warn:
	pr_warn("tap '%s': cannot bring it up: %s (bring it up with `ip link "
		"set %s up`)", name, strerror(errno), name);
	if (s >= 0)
		close(s);
}

int tap_open(char name[IFNAMSIZ])
{
	struct ifreq ifr;
	int fd, hdr = NET_HDR_LEN;

	fd = open(TUN_DEV, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		open_error();
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		setiff_error(name);
		goto fail;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		pr_err("tap '%s': TUNSETVNETHDRSZ %d: %s", name, hdr,
		       strerror(errno));
		goto fail;
	}
	/* Nothing offloaded until the guest acks features. */
	if (tap_set_offload(fd, 0))
		pr_debug("tap '%s': TUNSETOFFLOAD 0: %s", name, strerror(errno));
	tap_up(name);
	return fd;
fail:
	close(fd);
	return -1;
}

int tap_set_offload(int fd, unsigned int tun_flags)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)tun_flags) < 0 ? -1 : 0;
}
