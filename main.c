/* lkvm entry point: dispatches the sub-commands (run, version, help) and
 * turns their outcome into the process exit status. */
#include <stdio.h>
#include <string.h>
#include "kvm/control.h"
#include "kvm/migrate.h"
#include "kvm/run.h"
#include "kvm/snapshot.h"
#include "lkvm/util.h"
#include "lkvm/version.h"
#include "vfio/doctor.h"
#include "virtio/blk.h"

static const char usage[] =
"usage: lkvm <command> [options]\n"
"\n"
"lkvm is a lightweight KVM virtual machine monitor.\n"
"\n"
"commands:\n"
"  run       boot a guest (lkvm run --help for its options)\n"
"  list      the running VMs (lkvm list --help)\n"
"  stat      statistics of a running VM (lkvm stat --help; --json)\n"
"  stop      stop a VM (power button, then a hard stop; lkvm stop --help)\n"
"  debug     a VM's vCPU registers, NMI, SysRq (lkvm debug --help)\n"
"  pause     stop a running VM's vCPUs; resume: let them run again\n"
"  snapshot  save a running VM to a directory (lkvm snapshot --help);\n"
"            lkvm run --restore <dir> brings it back\n"
"  migrate   move a running VM to `lkvm run --incoming` (lkvm migrate\n"
"            --help)\n"
"  vfio      host devices for passthrough: list, bind, unbind; add,\n"
"            remove: on a running VM (lkvm vfio add --help)\n"
"  disk      add, remove: virtio-blk disks on a running VM (lkvm disk --help)\n"
"  version   print the version\n"
"  help      this text\n"
"\n"
"example: lkvm run -k bzImage -i initrd.cpio -m 1024 -c 2\n";

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	lkvm_start_ns = now_ns();

	if (!cmd) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return lkvm_cmd_run(argc - 1, argv + 1, NULL);
	if (!strcmp(cmd, "list"))
		return control_list_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "stat"))
		return control_stat_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "pause") || !strcmp(cmd, "resume"))
		return lkvm_cmd_pause(argc - 1, argv + 1);
	if (!strcmp(cmd, "stop"))
		return lkvm_cmd_stop(argc - 1, argv + 1);
	if (!strcmp(cmd, "debug"))
		return lkvm_cmd_debug(argc - 1, argv + 1);
	if (!strcmp(cmd, "snapshot"))
		return lkvm_cmd_snapshot(argc - 1, argv + 1);
	if (!strcmp(cmd, "migrate"))
		return lkvm_cmd_migrate(argc - 1, argv + 1);
	if (!strcmp(cmd, "vfio"))
		return lkvm_cmd_vfio(argc - 1, argv + 1);
	if (!strcmp(cmd, "disk"))
		return blk_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("lkvm version %s\n", LKVM_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "lkvm: unknown command '%s'; valid commands: run, "
		"list, stat, stop, debug, pause, resume, snapshot, migrate, vfio, disk, version, help (see 'lkvm --help')\n", cmd);
	return 2;
}
