/* libFuzzer target for the 9P2000.L server (virtio/9p_ops.c and the files
 * under it): a sequence of guest requests against a fresh share on disk
 * beside an "outside" directory. Every reply must be a well-formed answer
 * to its request (its type or Rlerror, its tag, within the buffer), the
 * fid and fd counts within their limits, and nothing outside the share may
 * change, whatever symlinks or names the requests make. */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz.h"
#include "virtio/9p.h"

/* fuzz-sources: virtio/9p_proto.c virtio/9p_path.c virtio/9p_fid.c virtio/9p_ops.c virtio/9p_ops_fs.c kvm/util.c
 * fuzz-runs: 3000
 * fuzz-max-len: 2048 */

/*
 * Input:
 *  [flags u8]  bit 0: ro share; bit 1: no openat2 (the O_NOFOLLOW walk);
 *              bit 2: reply buffer of 64 bytes
 *  then requests: [len u16][len bytes] each, to the end.
 */
#define FL_RO		1
#define FL_WALK		2
#define FL_SMALL	4

static struct p9_server S;
static char base[64];
static u8 resp[P9_MSIZE_MAX];

static int rm_one(const char *p, const struct stat *st, int type,
		  struct FTW *ftw)
{
	return remove(p);
}

static void mkfile(const char *p, const char *data)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, strlen(data)) == (ssize_t)strlen(data));
	close(fd);
}

/* base/share with a file, a dir and symlinks in and out; base/outside. */
static void make_share(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/share", base);
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	FUZZ_ASSERT(!mkdir(p, 0755));
	snprintf(p, sizeof(p), "%s/share/file", base);
	mkfile(p, "0123456789");
	snprintf(p, sizeof(p), "%s/share/dir", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/share/out", base);
	symlink("../outside", p);
	snprintf(p, sizeof(p), "%s/share/root", base);
	symlink("/", p);
	snprintf(p, sizeof(p), "%s/share/in", base);
	symlink("dir", p);
}

/* Nothing outside the share changed: one entry, same bytes, same mode. */
static void check_outside(void)
{
	char p[128], buf[32] = { 0 };
	struct stat st;
	int fd, n = 0;

	snprintf(p, sizeof(p), "%s/outside/secret", base);
	fd = open(p, O_RDONLY);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(read(fd, buf, sizeof(buf) - 1) == 6);
	FUZZ_ASSERT(!strcmp(buf, "secret"));
	FUZZ_ASSERT(!fstat(fd, &st) && (st.st_mode & 07777) == 0600);
	close(fd);
	snprintf(p, sizeof(p), "%s/outside", base);
	FUZZ_ASSERT(!stat(p, &st) && st.st_nlink == 2 &&
		    (st.st_mode & 07777) == 0700);
	snprintf(p, sizeof(p), "%s", base);
	FUZZ_ASSERT(!stat(p, &st));
	n = st.st_nlink;	/* base, share, outside: no new directory */
	FUZZ_ASSERT(n == 4);
}

static void check_reply(const u8 *req, u32 len, u32 n, u32 cap)
{
	struct p9_in in;
	u8 type, rtype;
	u16 tag, rtag;

	FUZZ_ASSERT(n <= cap);
	if (n == 0) {
		FUZZ_ASSERT(cap < 11);
		return;
	}
	FUZZ_ASSERT(!p9_parse_hdr(&in, resp, n, &rtype, &rtag));
	FUZZ_ASSERT(in.len == n);
	if (p9_parse_hdr(&in, req, len, &type, &tag)) {
		FUZZ_ASSERT(rtype == P9_RLERROR);
		return;
	}
	FUZZ_ASSERT(rtag == tag);
	FUZZ_ASSERT(rtype == P9_RLERROR || rtype == type + 1);
	FUZZ_ASSERT(rtype != P9_RLERROR || n == 11);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fin in = { data, size };
	u8 flags = fin_u8(&in), req[2048];
	u32 cap = flags & FL_SMALL ? 64 : sizeof(resp), len, n;
	char p[128];

	make_share();
	snprintf(p, sizeof(p), "%s/share", base);
	close(S.root_fd);
	S.root_fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	FUZZ_ASSERT(S.root_fd >= 0);
	p9_server_reset(&S);
	S.ro = flags & FL_RO;
	S.have_openat2 = !(flags & FL_WALK) && p9_probe_openat2(S.root_fd);
	while (in.n) {
		len = fin_u16(&in);
		len = MIN(len, (u32)in.n);
		fin_bytes(&in, req, len);
		n = p9_handle(&S, req, len, resp, cap);
		check_reply(req, len, n, S.msize ? MIN(cap, S.msize) : cap);
		FUZZ_ASSERT(S.nr_fids <= S.max_fids);
		FUZZ_ASSERT(S.nr_open <= S.max_open);
	}
	check_outside();
	return 0;
}

/* ---- seeds ---- */

static struct fseed sd;
static size_t start;

static void m_begin(u8 type)
{
	start = sd.n;
	fs_u16(&sd, 0);		/* the request's length, set by m_end */
	fs_u32(&sd, 0);		/* size */
	fs_u8(&sd, type);
	fs_u16(&sd, 1);
}

static void m_str(const char *s)
{
	fs_u16(&sd, strlen(s));
	fs_bytes(&sd, s, strlen(s));
}

static void m_end(void)
{
	u32 n = sd.n - start - 2;

	sd.b[start] = n;
	sd.b[start + 1] = n >> 8;
	sd.b[start + 2] = n;
	sd.b[start + 3] = n >> 8;
}

static void s_walk(u32 fid, u32 nfid, const char *a, const char *b)
{
	m_begin(P9_TWALK);
	fs_u32(&sd, fid);
	fs_u32(&sd, nfid);
	fs_u16(&sd, !!a + !!b);
	if (a)
		m_str(a);
	if (b)
		m_str(b);
	m_end();
}

static void s_fid32(u8 type, u32 fid, u32 v)
{
	m_begin(type);
	fs_u32(&sd, fid);
	fs_u32(&sd, v);
	m_end();
}

static void s_rw(u8 type, u32 fid, const char *data)
{
	m_begin(type);
	fs_u32(&sd, fid);
	fs_u64(&sd, 2);
	fs_u32(&sd, data ? strlen(data) : 100);
	if (data)
		fs_bytes(&sd, data, strlen(data));
	m_end();
}

static void s_name(u8 type, u32 fid, const char *name, u32 a)
{
	m_begin(type);
	fs_u32(&sd, fid);
	m_str(name);
	fs_u32(&sd, a);
	fs_u32(&sd, 0);
	m_end();
}

static void s_session(u8 flags)
{
	sd.n = 0;
	fs_u8(&sd, flags);
	m_begin(P9_TVERSION);
	fs_u32(&sd, 8192);
	m_str(P9_VERSION);
	m_end();
	m_begin(P9_TATTACH);
	fs_u32(&sd, 1);
	fs_u32(&sd, P9_NOFID);
	m_str("u");
	m_str("");
	fs_u32(&sd, 0);
	m_end();
}

static void seeds(void)
{
	s_session(0);
	s_walk(1, 2, "file", NULL);
	s_fid32(P9_TLOPEN, 2, 2);
	s_rw(P9_TREAD, 2, NULL);
	s_rw(P9_TWRITE, 2, "abc");
	s_fid32(P9_TGETATTR, 2, 0x7ff);
	s_walk(1, 3, "dir", NULL);
	s_fid32(P9_TLOPEN, 3, 0);
	s_rw(P9_TREADDIR, 3, NULL);
	fuzz_seed("io", &sd);

	s_session(0);
	s_walk(1, 2, "out", "secret");
	s_walk(1, 3, "root", "etc");
	s_walk(1, 4, "..", "..");
	s_name(P9_TMKDIR, 4, "new", 0755);
	s_walk(1, 5, "in", NULL);
	s_name(P9_TUNLINKAT, 1, "file", 0);
	s_name(P9_TMKNOD, 1, "fifo", S_IFIFO | 0644);
	m_begin(P9_TSYMLINK);
	fs_u32(&sd, 1);
	m_str("esc");
	m_str("../outside/secret");
	fs_u32(&sd, 0);
	m_end();
	s_walk(1, 6, "esc", NULL);
	s_fid32(P9_TLOPEN, 6, 1);
	m_begin(P9_TRENAMEAT);
	fs_u32(&sd, 1);
	m_str("dir");
	fs_u32(&sd, 1);
	m_str("moved");
	m_end();
	fuzz_seed("namespace", &sd);

	s_session(FL_RO | FL_WALK);
	s_walk(1, 2, "file", NULL);
	s_fid32(P9_TLOPEN, 2, 1);
	s_name(P9_TMKDIR, 1, "d", 0755);
	s_fid32(P9_TREMOVE, 2, 0);
	fuzz_seed("ro-walk", &sd);
}

static void cleanup(void)
{
	p9_server_fini(&S);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128], err[256];

	if (fuzz_seeding()) {
		seeds();
		exit(0);
	}
	/* tmpfs where there is one: the requests' fsyncs cost nothing */
	strcpy(base, access("/dev/shm", W_OK) ? "/tmp/lkvm-fuzz-9p-XXXXXX" :
	       "/dev/shm/lkvm-fuzz-9p-XXXXXX");
	FUZZ_ASSERT(mkdtemp(base));
	atexit(cleanup);
	snprintf(p, sizeof(p), "%s/outside", base);
	FUZZ_ASSERT(!mkdir(p, 0700));
	snprintf(p, sizeof(p), "%s/outside/secret", base);
	mkfile(p, "secret");
	FUZZ_ASSERT(!chmod(p, 0600));
	make_share();
	snprintf(p, sizeof(p), "%s/share", base);
	FUZZ_ASSERT(!p9_server_init(&S, p, false, err, sizeof(err)));
	S.max_fids = 64;	/* reached quickly */
	S.max_open = 8;
	return 0;
}
