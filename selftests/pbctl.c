// SPDX-License-Identifier: GPL-2.0
/*
 * pbctl: run ptebatch ctl commands in one session and print their replies.
 *
 *   pbctl 'command args...' ['command args...' ...]
 *   pbctl -          read commands from standard input, one per line
 *
 * Every command runs in the same session.  The exit status is 0 when all
 * commands succeeded, 1 otherwise; replies to failed commands go to stderr.
 */
#include <stdarg.h>

#include "pb_util.h"

static struct pb_ctl ctl;

static int run(const char *line)
{
	int ret = pb_cmd(&ctl, "%s", line);

	printf("> %s\n", line);
	fputs(ctl.reply, ret ? stderr : stdout);
	fflush(stdout);
	if (ret)
		fprintf(stderr, "pbctl: '%s': %s\n", line, strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	char line[PB_CMD_MAX + 1];	/* a command and its newline */
	int i, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s 'command' ... | -\n", argv[0]);
		return 2;
	}
	if (pb_open(&ctl)) {
		perror("pbctl: open " PB_DEBUGFS_DIR "/ctl");
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "-")) {
		while (fgets(line, sizeof(line), stdin)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] && line[0] != '#')
				failed |= !!run(line);
		}
	} else {
		for (i = 1; i < argc; i++)
			failed |= !!run(argv[i]);
	}
	pb_close(&ctl);
	return failed;
}
