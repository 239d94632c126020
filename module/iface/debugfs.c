// SPDX-License-Identifier: GPL-2.0
/*
 * ptebatch: exercise, check and measure contpte-aware batched page-table work
 * on a private mm.  This file is the kernel glue: module init and exit and the
 * debugfs files under /sys/kernel/debug/ptebatch/.
 *
 * ctl is a transaction file in the way of libfs's simple_transaction_*(): a
 * write runs one command, a read returns its reply.  Unlike the libfs helper,
 * whose reply is one page, a reply here holds up to PB_REPLY_MAX bytes, which
 * dump needs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mm.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/kstrtox.h>

#include "uapi/ptebatch.h"
#include "lib/alloc.h"
#include "lib/counters.h"
#include "iface/commands.h"
#include "iface/exec.h"
#include "iface/reply.h"
#include "iface/session.h"
#include "iface/stats.h"

static struct dentry *pb_dir;

static int pb_ctl_open(struct inode *inode, struct file *file)
{
	struct pb_session *s = pb_session_create();

	if (IS_ERR(s))
		return PTR_ERR(s);
	file->private_data = s;
	/*
	 * No f_pos_lock: write() would otherwise wait for another thread's
	 * long command in fdget_pos()'s uninterruptible mutex, before it ever
	 * reaches the session's interruptible one.  The session lock already
	 * serialises commands and replies; the position is the reader's own,
	 * as on a pipe.
	 */
	file->f_mode &= ~FMODE_ATOMIC_POS;
	return 0;
}

static int pb_ctl_release(struct inode *inode, struct file *file)
{
	pb_session_destroy(file->private_data);
	return 0;
}

static ssize_t pb_ctl_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct pb_session *s = file->private_data;
	char *line;
	size_t len = min_t(size_t, count, PB_CMD_MAX + 1);
	int ret;

	/* At most one byte more than a command can be: too long is seen. */
	line = memdup_user(ubuf, len);
	if (IS_ERR(line))
		return PTR_ERR(line);

	ret = mutex_lock_interruptible(&s->lock);
	if (ret)
		goto out;
	ret = pb_session_exec(s, line, len);
	mutex_unlock(&s->lock);
out:
	kfree(line);
	/*
	 * A read after a write returns the new reply from its start, after a
	 * failed write too: ksys_write() stores *ppos back only on success,
	 * so rewind the file's own position as well (pwrite() included).
	 */
	*ppos = 0;
	WRITE_ONCE(file->f_pos, 0);
	return ret ? ret : count;
}

static ssize_t pb_ctl_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct pb_session *s = file->private_data;
	ssize_t ret;

	ret = mutex_lock_interruptible(&s->lock);
	if (ret)
		return ret;
	ret = simple_read_from_buffer(ubuf, count, ppos, s->reply.buf,
				      s->reply.len);
	mutex_unlock(&s->lock);
	return ret;
}

static const struct file_operations pb_ctl_fops = {
	.owner = THIS_MODULE,
	.open = pb_ctl_open,
	.release = pb_ctl_release,
	.read = pb_ctl_read,
	.write = pb_ctl_write,
	.llseek = default_llseek,
};

/*
 * stats is rendered at open, under the registry lock, from counter values
 * taken before the rendering buffer is allocated: a reader sees one snapshot
 * that does not count itself, in which no mm is missing or counted twice.
 */
static int pb_stats_open(struct inode *inode, struct file *file)
{
	struct pb_reply *r = pb_stats_render();

	if (!r)
		return -ENOMEM;
	file->private_data = r;
	return 0;
}

static int pb_stats_release(struct inode *inode, struct file *file)
{
	pb_stats_free(file->private_data);
	return 0;
}

static ssize_t pb_stats_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct pb_reply *r = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, r->buf, r->len);
}

static const struct file_operations pb_stats_fops = {
	.owner = THIS_MODULE,
	.open = pb_stats_open,
	.release = pb_stats_release,
	.read = pb_stats_read,
	.llseek = default_llseek,
};

static ssize_t pb_version_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	static const char version[] = PTEBATCH_VERSION "\n";

	return simple_read_from_buffer(ubuf, count, ppos, version,
				       sizeof(version) - 1);
}

static const struct file_operations pb_version_fops = {
	.owner = THIS_MODULE,
	.read = pb_version_read,
	.llseek = default_llseek,
};

/*
 * Decimal only, and EINVAL for anything that is not 0..INT_MAX: unlike
 * DEFINE_DEBUGFS_ATTRIBUTE's parser, which takes any base and says ERANGE
 * for an overflow.
 */
static ssize_t pb_fail_nth_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	unsigned int val;

	if (kstrtouint_from_user(ubuf, count, 10, &val) || val > INT_MAX)
		return -EINVAL;
	atomic_set(&pb_fail_nth, val);
	return count;
}

static ssize_t pb_fail_nth_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[16];
	int n = scnprintf(buf, sizeof(buf), "%d\n", atomic_read(&pb_fail_nth));

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

/* The memory budget, in decimal bytes: 1 up to its default. */
static ssize_t pb_budget_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	u64 val;

	if (kstrtou64_from_user(ubuf, count, 10, &val) || pb_budget_set(val))
		return -EINVAL;
	return count;
}

static ssize_t pb_budget_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char buf[24];
	int n = scnprintf(buf, sizeof(buf), "%lld\n",
			  (long long)atomic64_read(&pb_budget_bytes));

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations pb_budget_fops = {
	.owner = THIS_MODULE,
	.read = pb_budget_read,
	.write = pb_budget_write,
	.llseek = default_llseek,
};

static const struct file_operations pb_fail_nth_fops = {
	.owner = THIS_MODULE,
	.read = pb_fail_nth_read,
	.write = pb_fail_nth_write,
	.llseek = default_llseek,
};

static int __init ptebatch_init(void)
{
	const char *missing;

	if (pb_commands_check(&missing)) {
		pr_err("command %s has no complete table entry\n", missing);
		return -EINVAL;
	}
	pb_budget_init(((u64)totalram_pages() << PAGE_SHIFT) / PB_BUDGET_RAM_DIVISOR);
	pb_dir = debugfs_create_dir(PB_DEBUGFS_NAME, NULL);
	if (IS_ERR(pb_dir))
		return PTR_ERR(pb_dir);
	debugfs_create_file("version", 0400, pb_dir, NULL, &pb_version_fops);
	debugfs_create_file("stats", 0400, pb_dir, NULL, &pb_stats_fops);
	debugfs_create_file("ctl", 0600, pb_dir, NULL, &pb_ctl_fops);
	debugfs_create_file("fail_nth", 0600, pb_dir, NULL, &pb_fail_nth_fops);
	debugfs_create_file("budget_bytes", 0600, pb_dir, NULL, &pb_budget_fops);
	pr_info("version %s loaded\n", PTEBATCH_VERSION);
	return 0;
}

static void __exit ptebatch_exit(void)
{
	int i;

	/* An open file holds a module reference, so none is open here. */
	debugfs_remove_recursive(pb_dir);
	for (i = 0; i < PB_NR_COUNTERS; i++) {
		if (pb_counter_is_live(i) && atomic64_read(&pb_counters[i]))
			pr_err("leak: %s %lld at unload\n", pb_counter_names[i],
			       (long long)atomic64_read(&pb_counters[i]));
	}
	pr_info("unloaded\n");
}

module_init(ptebatch_init);
module_exit(ptebatch_exit);

MODULE_DESCRIPTION("Exercise, check and measure contpte-aware batched page-table work");
MODULE_AUTHOR("The ptebatch developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(PTEBATCH_VERSION);
